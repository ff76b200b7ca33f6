//! Entry point of the revops web app: mounts the Leptos app into the page body.

mod allocation;
mod api;
mod app;
mod components;
mod format;
mod intake_mapping;
mod live;
mod routes;
mod session;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
