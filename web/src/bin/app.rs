//! Entry point of the page: mounts the Yew app. Everything else lives in the library.

fn main() {
    yew::Renderer::<tracelens_web::App>::new().render();
}
