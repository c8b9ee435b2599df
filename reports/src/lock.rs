//! PDFs locked with a password: the PDF 2.0 standard security handler (revision 6, AES-256 with
//! a random file key), which every current viewer (Adobe, WPS, Foxit, browsers, poppler) opens
//! after asking for the password. Reports that name elders are saved this way, never in clear.

use std::collections::BTreeMap;
use std::sync::Arc;

use lopdf::encryption::crypt_filters::{Aes256CryptFilter, CryptFilter};
use lopdf::{Document, EncryptionState, EncryptionVersion, Permissions};

use crate::ReportError;

/// The crypt filter's name in the PDF; any name works, this is the one the standard uses.
const FILTER: &[u8] = b"StdCF";

/// `pdf` with every string and stream encrypted, opened only with `password`.
///
/// The owner password (the one that lifts restrictions) is random and thrown away: nobody can
/// turn the lock off, and printing and copying stay allowed to whoever opens the file.
pub fn lock_pdf(pdf: &[u8], password: &str) -> Result<Vec<u8>, ReportError> {
    let mut document = Document::load_mem(pdf).map_err(ReportError::Lock)?;
    let mut file_key = [0u8; 32];
    let mut owner = [0u8; 24];
    getrandom::fill(&mut file_key).expect("the system's random source");
    getrandom::fill(&mut owner).expect("the system's random source");
    let owner_password: String = owner.iter().map(|byte| format!("{byte:02x}")).collect();
    let filter: Arc<dyn CryptFilter> = Arc::new(Aes256CryptFilter);
    let state = EncryptionState::try_from(EncryptionVersion::V5 {
        encrypt_metadata: true,
        crypt_filters: BTreeMap::from([(FILTER.to_vec(), filter)]),
        file_encryption_key: &file_key,
        stream_filter: FILTER.to_vec(),
        string_filter: FILTER.to_vec(),
        owner_password: &owner_password,
        user_password: password,
        permissions: Permissions::default(),
    })
    .map_err(ReportError::Lock)?;
    document.encrypt(&state).map_err(ReportError::Lock)?;
    declare_key_length(&mut document).map_err(ReportError::Lock)?;
    file_key.fill(0);
    let mut locked = Vec::with_capacity(pdf.len() + 1024);
    document.save_to(&mut locked).map_err(|error| ReportError::Lock(error.into()))?;
    Ok(locked)
}

/// Writes the 256-bit key length into the encryption dictionary and its crypt filter, which
/// lopdf leaves out: without it poppler (and so most Linux viewers) takes a shorter default key
/// and shows noise even with the right password.
fn declare_key_length(document: &mut Document) -> lopdf::Result<()> {
    let id = document.trailer.get(b"Encrypt")?.as_reference()?;
    let encrypt = document.get_object_mut(id)?.as_dict_mut()?;
    encrypt.set("Length", 256);
    let filter = encrypt.get_mut(b"CF")?.as_dict_mut()?.get_mut(FILTER)?.as_dict_mut()?;
    filter.set("Length", 32);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::{Alignment, Column, PageSetup};
    use crate::{TableReport, render_table_report};

    const TITLE: &str = "庄口居委会探访记录表";

    fn report() -> Vec<u8> {
        let report = TableReport {
            page: PageSetup::a4_portrait(),
            title: TITLE.to_owned(),
            subtitle_lines: vec![],
            columns: vec![Column::shared("姓名", 1.0, Alignment::Left)],
            rows: (0..60).map(|row| vec![format!("张建国 {row}")]).collect(),
            closing_lines: vec![],
            signature_fields: vec![],
        };
        render_table_report(&report).expect("a report renders").pdf
    }

    /// The bytes of every stream of `pdf` as stored (compressed, or encrypted).
    fn raw_streams(document: &Document) -> Vec<Vec<u8>> {
        document
            .objects
            .values()
            .filter_map(|object| object.as_stream().ok())
            .filter(|stream| stream.content.len() >= 32)
            .map(|stream| stream.content.clone())
            .collect()
    }

    #[test]
    fn a_locked_report_opens_with_its_password_only() {
        let plain = report();
        let locked = lock_pdf(&plain, "探访密码2026").unwrap();
        assert!(Document::load_mem(&locked).unwrap().is_encrypted());
        assert!(Document::load_mem_with_options(&locked, lopdf::LoadOptions::with_password("探访密码2025")).is_err());
        let opened =
            Document::load_mem_with_options(&locked, lopdf::LoadOptions::with_password("探访密码2026")).unwrap();
        let original = Document::load_mem(&plain).unwrap();
        assert_eq!(opened.get_pages().len(), original.get_pages().len());
        assert!(original.get_pages().len() >= 2, "the report should span pages");
        // Decrypted, every stream is the one the report was rendered with.
        let mut decrypted = raw_streams(&opened);
        let mut rendered = raw_streams(&original);
        decrypted.sort();
        rendered.sort();
        assert_eq!(decrypted, rendered);
    }

    #[test]
    fn nothing_of_the_report_is_left_in_clear() {
        let plain = report();
        let locked = lock_pdf(&plain, "探访密码2026").unwrap();
        // The title is in the plain file's metadata as UTF-16 in hex (so this test can fail) ...
        let title: Vec<u8> = TITLE.encode_utf16().flat_map(|unit| format!("{unit:04X}").into_bytes()).collect();
        let contains = |haystack: &[u8], needle: &[u8]| haystack.windows(needle.len()).any(|window| window == needle);
        assert!(contains(&plain, &title));
        assert!(!contains(&locked, &title));
        // ... and no stream of the plain file (pages, font) is stored as it was.
        for stream in raw_streams(&Document::load_mem(&plain).unwrap()) {
            assert!(!contains(&locked, &stream[..32]));
        }
    }

    #[test]
    fn a_file_that_is_not_a_pdf_is_an_error() {
        assert!(matches!(lock_pdf(b"not a pdf", "探访密码2026"), Err(ReportError::Lock(_))));
    }
}
