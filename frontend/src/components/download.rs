//! A button that downloads one of the API's authenticated files (credit memo PDF, statement
//! PDF or CSV) with the session's token, then hands it to the browser as a file.

use leptos::{prelude::*, task::spawn_local};

use crate::{api, components::export::download_bytes};

#[component]
pub fn DownloadButton(
    /// The API's download address, e.g. a `pdfUrl`.
    #[prop(into)]
    url: String,
    /// The file name when the server suggests none.
    #[prop(into)]
    fallback_name: String,
    /// "application/pdf" or "text/csv".
    media_type: &'static str,
    #[prop(into)] label: String,
    #[prop(default = "download")] test_id: &'static str,
) -> impl IntoView {
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let url = StoredValue::new(url);
    let fallback_name = StoredValue::new(fallback_name);
    let label = StoredValue::new(label);
    let download = move |_| {
        pending.set(true);
        error.set(None);
        spawn_local(async move {
            let result = api::download(url.get_value(), media_type).await;
            pending.set(false);
            match result {
                Ok(file) => {
                    let name = file.filename.unwrap_or_else(|| fallback_name.get_value());
                    if download_bytes(&name, media_type, &file.bytes).is_none() {
                        error.set(Some("This browser could not save the file.".into()));
                    }
                }
                Err(failure) => error.set(Some(failure.summary())),
            }
        });
    };
    view! {
        <button class="button" type="button" data-test=test_id disabled=move || pending.get() on:click=download>
            {move || if pending.get() { "Preparing…".to_string() } else { label.get_value() }}
        </button>
        {move || error.get().map(|message| view! { <p class="field-error" role="alert">{message}</p> })}
    }
}
