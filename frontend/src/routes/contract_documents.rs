//! The signed contract or SOW on the contract page: the PDFs kept with it (download, size, who
//! attached it and when, its SHA-256) and, for those who approve contracts, attaching another.

use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, ContractDocument};
use crate::components::export::download_bytes;
use crate::components::file_read::chosen_file;
use crate::format;
use crate::session;

/// Size for people: KB up to a megabyte, then MB with one decimal.
fn size_label(bytes: i64) -> String {
    if bytes < 1024 * 1024 {
        format!("{} KB", (bytes + 1023) / 1024)
    } else {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    }
}

#[component]
pub fn ContractDocuments(contract_id: String, documents: Vec<ContractDocument>) -> impl IntoView {
    let documents = RwSignal::new(documents);
    let can_attach = session::can("DEAL_APPROVE");
    view! {
        <section class="contract-documents" data-test="contract-documents">
            <h3>"Signed contract"</h3>
            {move || {
                let list = documents.get();
                if list.is_empty() {
                    view! {
                        <p class="muted" data-test="no-documents">
                            "No signed PDF is kept with this contract yet."
                        </p>
                    }
                    .into_any()
                } else {
                    view! { <DocumentTable documents=list /> }.into_any()
                }
            }}
            <Show when=move || can_attach.get()>
                <AttachForm contract_id=contract_id.clone() documents=documents />
            </Show>
        </section>
    }
}

#[component]
fn DocumentTable(documents: Vec<ContractDocument>) -> impl IntoView {
    view! {
        <table class="table compact">
            <thead>
                <tr>
                    <th scope="col">"File"</th>
                    <th scope="col" class="num">"Size"</th>
                    <th scope="col">"Attached"</th>
                    <th scope="col">"SHA-256"</th>
                </tr>
            </thead>
            <tbody>
                {documents.into_iter().map(|document| view! {
                    <tr>
                        <td><DownloadButton document=document.clone() /></td>
                        <td class="num">{size_label(document.file_bytes)}</td>
                        <td class="nowrap">{
                            if document.uploaded_at.is_empty() {
                                "Just now".to_string()
                            } else {
                                format!("{} by {}", format::date_time(&document.uploaded_at), document.uploaded_by_name)
                            }
                        }</td>
                        <td class="mono" title=document.file_sha256.clone()>{document.file_sha256.chars().take(12).collect::<String>()}"…"</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// Fetches the PDF with the session's token (a plain link could not send it).
#[component]
fn DownloadButton(document: ContractDocument) -> impl IntoView {
    let error = RwSignal::new(None::<String>);
    let url = StoredValue::new(document.download_url.clone());
    let name = StoredValue::new(document.file_name.clone());
    let download = move |_| {
        error.set(None);
        spawn_local(async move {
            match api::download(url.get_value(), "application/pdf").await {
                Ok(file) => {
                    if download_bytes(&name.get_value(), "application/pdf", &file.bytes).is_none() {
                        error.set(Some("This browser could not save the PDF.".into()));
                    }
                }
                Err(failure) => error.set(Some(failure.summary())),
            }
        });
    };
    view! {
        <button class="button button-quiet" type="button" data-test="document-download" on:click=download>
            {document.file_name}
        </button>
        {move || error.get().map(|message| view! { <p class="field-error" role="alert">{message}</p> })}
    }
}

#[component]
fn AttachForm(contract_id: String, documents: RwSignal<Vec<ContractDocument>>) -> impl IntoView {
    let file = RwSignal::new_local(None::<web_sys::File>);
    let input = NodeRef::<html::Input>::new();
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let contract_id = StoredValue::new(contract_id);
    let attach = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let Some(chosen) = file.get_untracked() else {
            error.set(Some("Choose the signed PDF first.".into()));
            return;
        };
        pending.set(true);
        error.set(None);
        spawn_local(async move {
            let result = api::contract_document_attach(contract_id.get_value(), chosen).await;
            pending.set(false);
            match result {
                Ok(attached) => {
                    documents.update(|list| {
                        list.insert(
                            0,
                            ContractDocument {
                                download_url: format!(
                                    "/api/contract-documents/{}/file",
                                    attached.id
                                ),
                                id: attached.id,
                                file_name: attached.file_name,
                                file_bytes: attached.file_bytes,
                                file_sha256: attached.file_sha256,
                                uploaded_by_name: String::new(),
                                uploaded_at: String::new(),
                            },
                        )
                    });
                    file.set(None);
                    if let Some(element) = input.get_untracked() {
                        element.set_value("");
                    }
                }
                Err(failure) => error.set(Some(failure.summary())),
            }
        });
    };
    view! {
        <form class="attach-document" on:submit=attach data-test="attach-document">
            <label for="contract-document">"Attach the signed PDF (at most 20 MB)"</label>
            <input
                id="contract-document"
                type="file"
                accept="application/pdf,.pdf"
                node_ref=input
                aria-describedby="contract-document-error"
                on:change=move |event| file.set(chosen_file(&event))
            />
            <button class="button" type="submit" disabled=move || pending.get()>
                {move || if pending.get() { "Attaching…" } else { "Attach PDF" }}
            </button>
            <p id="contract-document-error" class="field-error" role="alert">
                {move || error.get().unwrap_or_default()}
            </p>
        </form>
    }
}
