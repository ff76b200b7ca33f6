//! CSV export of what a list shows: plain decimal amounts with their currency and ISO dates,
//! so a spreadsheet reads the figures exactly.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// Quotes a field when it holds a separator, a quote or a line break (RFC 4180).
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

pub fn to_csv(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut csv = header
        .iter()
        .map(|h| csv_field(h))
        .collect::<Vec<_>>()
        .join(",");
    csv.push_str("\r\n");
    for row in rows {
        csv.push_str(
            &row.iter()
                .map(|f| csv_field(f))
                .collect::<Vec<_>>()
                .join(","),
        );
        csv.push_str("\r\n");
    }
    csv
}

/// Offers `csv` as a file download. Failure (a browser without Blob URLs) leaves the page as it is.
fn download(filename: &str, csv: &str) -> Option<()> {
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(csv));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("text/csv;charset=utf-8");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).ok()?;
    save_blob(filename, &blob)
}

/// Offers bytes (an invoice PDF) as a file download of the given media type.
pub fn download_bytes(filename: &str, media_type: &str, bytes: &[u8]) -> Option<()> {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(media_type);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options).ok()?;
    save_blob(filename, &blob)
}

/// Hands a blob to the browser as a download through a temporary `<a download>` link.
fn save_blob(filename: &str, blob: &web_sys::Blob) -> Option<()> {
    let url = web_sys::Url::create_object_url_with_blob(blob).ok()?;
    let document = web_sys::window()?.document()?;
    let anchor = document
        .create_element("a")
        .ok()?
        .dyn_into::<web_sys::HtmlAnchorElement>()
        .ok()?;
    anchor.set_href(&url);
    anchor.set_download(filename);
    anchor.click();
    // The browser has read the URL once the click is handled; give it a moment before freeing.
    set_timeout(
        move || {
            let _ = web_sys::Url::revoke_object_url(&url);
        },
        std::time::Duration::from_secs(10),
    );
    Some(())
}

/// An "Export CSV" button for the rows on screen.
#[component]
pub fn ExportCsv(
    filename: String,
    header: &'static [&'static str],
    rows: Vec<Vec<String>>,
    #[prop(default = "Export CSV")] label: &'static str,
) -> impl IntoView {
    let csv = StoredValue::new(to_csv(header, &rows));
    let filename = StoredValue::new(filename);
    view! {
        <button
            class="button button-quiet export"
            type="button"
            data-test="export-csv"
            on:click=move |_| {
                let _ = download(&filename.get_value(), &csv.get_value());
            }
        >
            {label}
        </button>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_with_separators_are_quoted() {
        let csv = to_csv(
            &["name", "amount"],
            &[
                vec!["Acme, Inc.".into(), "12400.00".into()],
                vec!["Say \"hi\"".into(), "-5".into()],
            ],
        );
        assert_eq!(
            csv,
            "name,amount\r\n\"Acme, Inc.\",12400.00\r\n\"Say \"\"hi\"\"\",-5\r\n"
        );
    }
}
