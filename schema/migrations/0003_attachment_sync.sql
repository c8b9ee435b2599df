-- Attachments the county server is known to hold, so each file is offered to it once.
CREATE TABLE uploaded_attachments (
    sha256 TEXT PRIMARY KEY
) WITHOUT ROWID;
