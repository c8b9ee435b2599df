//! The error every command returns: `{ code, message, problems }`, with a Chinese message for
//! the person, a stable code for the UI, and, when fields of a form broke rules, each problem
//! with its field so the form marks that field. Internal failures say little and are logged in
//! full.

use serde::Serialize;
use xianglin_schema::Problem;
use xianglin_sync::Error;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AppError {
    pub code: &'static str,
    pub message: String,
    /// The fields that broke rules (`field` as the request names it, `message` in Chinese);
    /// empty when the failure is not about a field.
    pub problems: Vec<Problem>,
}

pub type CmdResult<T> = Result<T, AppError>;

impl AppError {
    /// A failure that is not about a field.
    pub fn new(code: &'static str, message: impl Into<String>) -> AppError {
        AppError { code, message: message.into(), problems: Vec::new() }
    }

    pub fn internal(detail: &str) -> AppError {
        tracing::error!(detail, "internal error");
        AppError::new("internal", "程序内部错误，请重试；如仍失败请联系县民政局技术支持")
    }

    pub fn invalid_month(text: &str) -> AppError {
        AppError::new("invalid", format!("月份「{text}」无效，应为 年-月，如 2026-11"))
    }
}

impl From<xianglin_sync::backup::BackupError> for AppError {
    fn from(error: xianglin_sync::backup::BackupError) -> AppError {
        use xianglin_sync::backup::BackupError;
        match error {
            BackupError::NotABackup { .. } => AppError::new("not_a_backup", "这个文件不是乡邻的备份文件"),
            BackupError::Damaged { .. } => {
                tracing::warn!(error = %error, "a damaged backup was refused");
                AppError::new(
                    "backup_damaged",
                    "备份文件已损坏或不完整（可能没有复制完），没有恢复任何内容；请换一个备份",
                )
            }
            BackupError::TooNew { .. } => {
                AppError::new("backup_too_new", "这个备份由更新版本的乡邻制作，请先把本机的乡邻更新到新版本")
            }
            BackupError::Io { ref path, ref source } => {
                tracing::warn!(error = %error, "a backup could not be read or written");
                AppError::new("backup_io", format!("无法读写 {path}：{source}"))
            }
            BackupError::Replica(error) => AppError::from(error),
        }
    }
}

impl From<xianglin_reports::ReportError> for AppError {
    fn from(error: xianglin_reports::ReportError) -> AppError {
        match error {
            xianglin_reports::ReportError::FontMissing { .. } => {
                AppError::new("font_missing", "找不到打印用的中文字体（Noto Sans CJK），请安装 fonts-noto-cjk 后重试")
            }
            other => AppError::internal(&other.to_string()),
        }
    }
}

impl From<xianglin_domain::locked_workbook::Error> for AppError {
    fn from(error: xianglin_domain::locked_workbook::Error) -> AppError {
        use xianglin_domain::locked_workbook::Error as Locked;
        match error {
            Locked::WrongPassword => AppError::new("wrong_file_password", "文件密码不正确，请重新输入"),
            Locked::BadPassword => AppError::new("wrong_file_password", "请输入文件密码"),
            Locked::Tampered => {
                AppError::new("file_tampered", "该文件在加密后被改动过或已损坏，无法打开；请使用原文件")
            }
            Locked::Format(detail) => {
                tracing::warn!(detail, "a locked workbook could not be read");
                AppError::new(
                    "file_encryption",
                    "无法读取该文件的加密方式；请在 Excel 或 WPS 中打开后另存一份（可保留密码）再导入",
                )
            }
        }
    }
}

impl From<Error> for AppError {
    fn from(error: Error) -> AppError {
        match error.root() {
            Error::Problems(problems) => AppError {
                code: "invalid",
                message: xianglin_schema::problem::describe(problems),
                problems: problems.clone(),
            },
            Error::NotExcel => AppError::new(
                "not_excel",
                "所选文件不是 Excel 工作簿（.xlsx），请在 Excel 或 WPS 中另存为 .xlsx 后再导入",
            ),
            Error::NoRosterHeader(columns) => AppError::new(
                "no_roster_header",
                format!("第一张工作表中没有找到表头（须有 {columns} 列），可先导出模板再填写"),
            ),
            Error::Cancelled => AppError::new("cancelled", "已取消，未写入任何数据"),
            Error::RosterTooLarge(limit) => AppError::new("roster_too_large", roster_limit_message(limit)),
            Error::NotFound(_) => AppError::new("not_found", "找不到该记录，可能已被作废或尚未同步"),
            Error::Foreign { path } => AppError::new(
                "foreign_database",
                format!("数据文件 {path} 不是乡邻的数据库（可能属于其他软件），已原样保留，未做任何修改"),
            ),
            Error::Corrupt { path, .. } => AppError::new(
                "corrupt_database",
                format!("数据文件 {path} 已损坏，无法打开；文件已原样保留，请联系县民政局技术支持恢复"),
            ),
            Error::TooNew { path, .. } => {
                AppError::new("database_too_new", format!("数据文件 {path} 由更新版本的乡邻创建，请升级本软件后再打开"))
            }
            other => AppError::internal(&other.to_string()),
        }
    }
}

/// A roster file past a limit, in words a township clerk can act on.
fn roster_limit_message(limit: &xianglin_sync::RosterLimit) -> String {
    use xianglin_sync::RosterLimit;
    let mb = |bytes: u64| bytes as f64 / f64::from(1 << 20);
    match limit {
        RosterLimit::FileBytes { size, limit } => {
            format!("文件有 {:.1} MB，名册文件不能超过 {:.0} MB；请按村拆分后分批导入", mb(*size), mb(*limit))
        }
        RosterLimit::Inflated { limit } => {
            format!("文件解压后超过 {:.0} MB，不像是名册；请在 Excel 或 WPS 中打开后另存为 .xlsx 再导入", mb(*limit))
        }
        RosterLimit::Columns { found, limit } => {
            format!("工作表第 {found} 列还有内容，名册最多 {limit} 列；请删去多余的列后再导入")
        }
        RosterLimit::Rows { found, limit } => format!(
            "工作表第 {found} 行还有内容，本县规定一次最多导入 {limit} 行；请按村拆分后分批导入，或删去表格末尾的多余内容"
        ),
    }
}

#[cfg(test)]
mod tests {
    use xianglin_schema::{Problem, Rule};

    use super::*;

    #[test]
    fn command_failure_matches_the_frontend_wire_contract() {
        let error = AppError::from(Error::Problems(vec![Problem::new("name", "姓名", Rule::Required)]));
        assert_eq!(
            serde_json::to_string(&error).unwrap(),
            r#"{"code":"invalid","message":"请填写姓名","problems":[{"field":"name","rule":"required","message":"请填写姓名"}]}"#
        );
        let error = AppError::from(Error::NotFound("elder x".into()));
        assert_eq!(serde_json::to_value(&error).unwrap()["problems"], serde_json::json!([]));
    }

    #[test]
    fn a_foreign_database_is_explained_in_chinese() {
        let error = AppError::from(Error::Foreign { path: "/data/x.sqlite".into() });
        assert_eq!(error.code, "foreign_database");
        assert!(error.message.contains("不是乡邻的数据库"));
    }
}
