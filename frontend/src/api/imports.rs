//! Imports of the existing book at cut-over: the kinds with their columns and templates, the
//! upload (the file itself as the body of `POST /api/imports`, never read into memory here),
//! one import with its row errors, preview or result, the commit and its progress, and the
//! history.

use gloo_net::http::Request;
use serde::Deserialize;
use wasm_bindgen::JsValue;

use super::ops;
use super::{field, ApiError, Connection, ErrorCode, HttpError, Money};
use crate::session;

/// One column of a kind's file, as the template describes it.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportColumn {
    pub name: String,
    pub required: bool,
    pub example: String,
    pub description: String,
}

/// A kind of file revops imports (`CUSTOMERS`, `OPEN_INVOICES`), with its template.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportKindInfo {
    pub kind: String,
    pub title: String,
    pub needs_cutover_date: bool,
    pub columns: Vec<ImportColumn>,
    pub template_file_name: String,
    pub template_csv: String,
}

impl ImportKindInfo {
    /// The name the upload endpoint takes (`customers`, `open_invoices`).
    pub fn upload_name(&self) -> String {
        self.kind.to_ascii_lowercase()
    }
}

/// A cell (or, at row 0, the file) the import refused.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportCellError {
    /// The row of the file, the header being row 1; 0 is the file as a whole.
    pub row: i64,
    pub column: String,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportPreviewLine {
    pub account_code: String,
    pub account_name: String,
    pub debit: Option<Money>,
    pub credit: Option<Money>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportPreviewEntry {
    pub memo: String,
    pub lines: Vec<ImportPreviewLine>,
}

/// What committing will write.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportPreview {
    pub records: i64,
    pub totals: Vec<Money>,
    pub entries: Vec<ImportPreviewEntry>,
    pub ignored_columns: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportResult {
    pub records: i64,
    pub entry_numbers: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportProgress {
    pub done: i64,
    pub total: i64,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportPerson {
    pub name: String,
    pub email: String,
}

/// A row of the history: what was uploaded, by whom, and what became of it.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportRow {
    pub id: String,
    pub kind: String,
    pub file_name: String,
    pub file_format: String,
    /// VALIDATED, REJECTED or COMMITTED.
    pub status: String,
    pub row_count: i64,
    pub error_count: i64,
    pub uploaded_by: Option<ImportPerson>,
    pub uploaded_at: String,
    pub committed_by: Option<ImportPerson>,
    pub committed_at: Option<String>,
}

/// One import in full: its row errors, the preview of what it writes, and what it wrote.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportDetail {
    #[serde(flatten)]
    pub row: ImportRow,
    pub cutover_date: Option<String>,
    pub file_bytes: i64,
    pub errors: Vec<ImportCellError>,
    pub preview: ImportPreview,
    pub result: Option<ImportResult>,
    pub progress: Option<ImportProgress>,
}

/// How far a commit has got, polled while it runs.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportPoll {
    pub status: String,
    pub progress: Option<ImportProgress>,
}

/// What the upload endpoint answers: the stored import and its counts.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportUploaded {
    pub id: String,
    pub status: String,
    pub row_count: i64,
    pub error_count: i64,
    pub records: i64,
}

pub async fn import_kinds() -> Result<Vec<ImportKindInfo>, ApiError> {
    field::<ops::ImportKinds, _>("importKinds", ops::import_kinds::Variables).await
}

/// The history, newest first.
pub async fn imports(first: u32, after: Option<String>) -> Result<Connection<ImportRow>, ApiError> {
    field::<ops::Imports, _>(
        "imports",
        ops::imports::Variables {
            first: Some(i64::from(first)),
            after,
        },
    )
    .await
}

pub async fn import(id: String) -> Result<ImportDetail, ApiError> {
    field::<ops::Import, _>("import", ops::import::Variables { id }).await
}

/// The status and progress only, cheap enough to ask for every few hundred milliseconds.
pub async fn import_poll(id: String) -> Result<ImportPoll, ApiError> {
    field::<ops::ImportPoll, _>("import", ops::import_poll::Variables { id }).await
}

#[derive(Deserialize)]
struct CommitPayload {
    import: ImportDetail,
}

/// Writes a validated import, once. A very large one can outlast this request; the commit
/// carries on, and [`import_poll`] follows it.
pub async fn import_commit(id: String) -> Result<ImportDetail, ApiError> {
    let payload: CommitPayload = field::<ops::ImportCommit, _>(
        "importCommit",
        ops::import_commit::Variables {
            input: ops::import_commit::ImportCommitInput { id },
        },
    )
    .await?;
    Ok(payload.import)
}

/// The upload endpoint's address for one file.
fn upload_url(kind: &str, file_name: &str, cutover_date: Option<&str>) -> String {
    let encode = |text: &str| String::from(js_sys::encode_uri_component(text));
    let mut url = format!(
        "/api/imports?kind={}&fileName={}",
        encode(kind),
        encode(file_name)
    );
    if let Some(date) = cutover_date {
        url.push_str(&format!("&cutoverDate={}", encode(date)));
    }
    url
}

/// Uploads the chosen file as it is: the browser streams it from disk as the request body, so
/// a 64 MB spreadsheet is never copied into the page's memory.
pub async fn import_upload(
    kind: String,
    file: web_sys::File,
    cutover_date: Option<String>,
) -> Result<ImportUploaded, ApiError> {
    let url = upload_url(&kind, &file.name(), cutover_date.as_deref());
    post_file(&url, file).await
}

/// Posts a picked file as the raw body of one of the upload endpoints, with the session's token,
/// and reads the endpoint's JSON answer (or its refusal, tied to the field it names).
pub(crate) async fn post_file<T: serde::de::DeserializeOwned>(
    url: &str,
    file: web_sys::File,
) -> Result<T, ApiError> {
    let token = session::token();
    let mut request = Request::post(url).header("Accept", "application/json");
    if let Some(token) = &token {
        request = request.header("Authorization", &format!("Bearer {token}"));
    }
    let response = request
        .body(JsValue::from(file))
        .map_err(ApiError::network)?
        .send()
        .await
        .map_err(ApiError::network)?;
    let status = response.status();
    if response.ok() {
        return response.json().await.map_err(|error| {
            ApiError::single(
                ErrorCode::Internal,
                format!("The server's answer did not match what this page expects: {error}"),
            )
        });
    }
    let error = upload_error(status, response.json::<UploadFailure>().await.ok());
    if token.is_some() && error.code() == ErrorCode::Unauthenticated {
        session::expire();
    }
    Err(error)
}

/// The endpoint's error body: `HttpError` plus the field it names.
#[derive(Deserialize)]
struct UploadFailure {
    #[serde(flatten)]
    error: HttpError,
    field: Option<String>,
}

/// The endpoint's refusal in its own words, tied to the field it names; a body that is not the
/// endpoint's JSON (a proxy's page) still gets a sentence that says what to do.
fn upload_error(status: u16, body: Option<UploadFailure>) -> ApiError {
    let mut error = match body {
        Some(body) => {
            let mut error =
                ApiError::single(ErrorCode::parse(body.error.code.as_deref()), body.error.message);
            error.items[0].field = body.field;
            error
        }
        None if status == 413 => ApiError::for_field(
            "file",
            "The file is larger than 64 MB, the most one upload may be. Split it into several files.",
        ),
        None if status == 401 => ApiError::single(
            ErrorCode::Unauthenticated,
            "Your session has ended. Please sign in again.",
        ),
        None => ApiError::network(format!("HTTP {status}")),
    };
    if status == 413 && error.items[0].field.is_none() {
        error.items[0].field = Some("file".into());
    }
    error
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_too_large_file_is_named_on_the_file_input() {
        let error = upload_error(413, None);
        assert!(error.field("file").unwrap().contains("64 MB"));
    }

    #[test]
    fn the_endpoint_names_the_field_it_refuses() {
        let body: UploadFailure = serde_json::from_str(
            r#"{"code":"VALIDATION","message":"\"26/11\" is not a date (YYYY-MM-DD).","field":"cutoverDate"}"#,
        )
        .unwrap();
        let error = upload_error(400, Some(body));
        assert_eq!(error.code(), ErrorCode::Validation);
        assert_eq!(
            error.field("cutoverDate").as_deref(),
            Some("\"26/11\" is not a date (YYYY-MM-DD).")
        );
    }
}
