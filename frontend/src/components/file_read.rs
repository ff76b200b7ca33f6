//! Reading a file the user picked in an `<input type=file>`: as text (a bank CSV) or as
//! base64 (dispute evidence), with the browser's `FileReader`.

use std::{cell::RefCell, rc::Rc};

use wasm_bindgen::{closure::Closure, JsCast};

/// A picked file, read.
#[derive(Clone, Debug, PartialEq)]
pub struct ReadFile {
    pub name: String,
    /// As the browser guesses it from the name; may be empty.
    pub content_type: String,
    pub size_bytes: f64,
    /// The text, or the base64 of the bytes.
    pub content: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReadAs {
    Text,
    Base64,
}

/// The first file chosen in the input that fired `event`.
pub fn chosen_file(event: &leptos::ev::Event) -> Option<web_sys::File> {
    let input = event
        .target()?
        .dyn_into::<web_sys::HtmlInputElement>()
        .ok()?;
    input.files()?.get(0)
}

/// The reader's callback, taken by whichever of load and error fires first.
type PendingCallback = Rc<RefCell<Option<Box<dyn FnOnce(Result<ReadFile, String>)>>>>;

/// Reads `file` and calls `done` once with the content or the reason it could not be read.
pub fn read_file(
    file: web_sys::File,
    read_as: ReadAs,
    done: impl FnOnce(Result<ReadFile, String>) + 'static,
) {
    let reader = match web_sys::FileReader::new() {
        Ok(reader) => reader,
        Err(_) => {
            done(Err("This browser cannot read files.".into()));
            return;
        }
    };
    // Load and error each get a handler; whichever fires first takes the callback.
    let done: PendingCallback = Rc::new(RefCell::new(Some(Box::new(done))));
    let finish = {
        let done = done.clone();
        move |result: Result<ReadFile, String>| {
            if let Some(done) = done.borrow_mut().take() {
                done(result);
            }
        }
    };
    let (name, content_type, size_bytes) = (file.name(), file.type_(), file.size());
    let on_load = {
        let reader = reader.clone();
        let finish = finish.clone();
        Closure::once_into_js(move || {
            let text = reader.result().ok().and_then(|value| value.as_string());
            let content = match (text, read_as) {
                (Some(text), ReadAs::Text) => Some(text),
                // A data URL: "data:<type>;base64,<data>".
                (Some(url), ReadAs::Base64) => {
                    url.split_once(',').map(|(_, data)| data.to_string())
                }
                (None, _) => None,
            };
            finish(
                content
                    .map(|content| ReadFile {
                        name,
                        content_type,
                        size_bytes,
                        content,
                    })
                    .ok_or_else(|| "The file could not be read.".to_string()),
            );
        })
    };
    let on_error = Closure::once_into_js(move || finish(Err("The file could not be read.".into())));
    reader.set_onload(Some(on_load.unchecked_ref()));
    reader.set_onerror(Some(on_error.unchecked_ref()));
    let started = match read_as {
        ReadAs::Text => reader.read_as_text(&file),
        ReadAs::Base64 => reader.read_as_data_url(&file),
    };
    if started.is_err() {
        if let Some(done) = done.borrow_mut().take() {
            done(Err("The file could not be read.".into()));
        }
    }
}
