//! Files on a ticket: a drop zone with a file picker that uploads with a progress bar, and the
//! list of attached files (download links, thumbnails of images). `FileDrop` is reusable (the
//! composer embeds it and gets the uploaded attachments back through `on_uploaded`).

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

use crate::api::attachments::{delete_attachment, ticket_attachments};
use crate::error::AppError;
use crate::model::Attachment;
use crate::ui::components::{use_toasts, ErrorAlert};

/// The ticket's files as their own panel: upload and list.
#[component]
pub fn AttachmentsPanel(reference: String) -> impl IntoView {
    let list = Resource::new({
        let reference = reference.clone();
        move || reference.clone()
    }, ticket_attachments);
    let refresh = Callback::new(move |_: Vec<Attachment>| list.refetch());
    view! {
        <section class="panel attachments-panel" aria-labelledby="attachments-title" data-testid="attachments-panel">
            <h2 id="attachments-title">"Attachments"</h2>
            <FileDrop reference=reference.clone() on_uploaded=refresh/>
            <Transition fallback=|| view! { <p class="muted">"Loading files…"</p> }>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok(items) if items.is_empty() => view! { <p class="muted">"No files yet."</p> }.into_any(),
                        Ok(items) => view! { <AttachmentList items on_removed=Callback::new(move |_| list.refetch())/> }.into_any(),
                        Err(error) => view! { <ErrorAlert error/> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

/// Attached files with a download link each, a thumbnail for images, and "Remove" where the
/// viewer may remove it.
#[component]
pub fn AttachmentList(items: Vec<Attachment>, #[prop(optional)] on_removed: Option<Callback<i64>>) -> impl IntoView {
    let toasts = use_toasts();
    view! {
        <ul class="attachment-list">
            {items.into_iter().map(|file| {
                let id = file.id;
                let remove = move |_| {
                    spawn_local(async move {
                        match delete_attachment(id).await {
                            Ok(()) => {
                                if let Some(removed) = on_removed {
                                    removed.run(id);
                                }
                            }
                            Err(error) => toasts.error(error.to_string()),
                        }
                    })
                };
                let details = match &file.uploaded_by {
                    Some(by) => format!("{} · {}", file.size_label(), by.name),
                    None => file.size_label(),
                };
                view! {
                    <li data-testid="attachment" data-attachment-id=id>
                        {file.has_thumbnail.then(|| view! {
                            <img class="attachment-thumb" src=file.thumbnail_url() alt="" loading="lazy" width="48" height="48"/>
                        })}
                        <div class="attachment-name">
                            <a href=file.download_url() download=file.file_name.clone() data-testid="attachment-download">{file.file_name.clone()}</a>
                            <span class="muted">{details}</span>
                        </div>
                        {(file.can_delete && on_removed.is_some()).then(|| view! {
                            <button type="button" class="ghost" on:click=remove aria-label=format!("Remove {}", file.file_name)>"Remove"</button>
                        })}
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}

/// Where an upload stands: nothing yet, sending (fraction done), or done.
#[derive(Clone, Copy, PartialEq)]
enum Progress {
    Idle,
    Sending(f64),
    Done(usize),
}

/// A drop zone and a file picker (several files at once) that upload to the ticket at once,
/// showing a progress bar; `on_uploaded` gets the new attachments (their ids for a message).
#[component]
pub fn FileDrop(reference: String, on_uploaded: Callback<Vec<Attachment>>, #[prop(default = "attach")] id_prefix: &'static str) -> impl IntoView {
    let progress = RwSignal::new(Progress::Idle);
    let error = RwSignal::new(None::<String>);
    let over = RwSignal::new(false);
    let input_id = format!("{id_prefix}-{}", reference.to_ascii_lowercase());
    let start = {
        let reference = reference.clone();
        move |files: web_sys::FileList| {
            if files.length() == 0 || matches!(progress.get_untracked(), Progress::Sending(_)) {
                return;
            }
            error.set(None);
            progress.set(Progress::Sending(0.0));
            let finished = move |result: Result<Vec<Attachment>, String>| match result {
                Ok(attached) => {
                    progress.set(Progress::Done(attached.len()));
                    on_uploaded.run(attached);
                }
                Err(message) => {
                    progress.set(Progress::Idle);
                    error.set(Some(message));
                }
            };
            if let Err(message) = upload(&reference, &files, progress, finished) {
                progress.set(Progress::Idle);
                error.set(Some(message));
            }
        }
    };
    let picked = {
        let start = start.clone();
        move |ev: leptos::ev::Event| {
            let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else { return };
            if let Some(files) = input.files() {
                start(files);
            }
            // The same file may be picked again later.
            input.set_value("");
        }
    };
    let dropped = move |ev: leptos::ev::DragEvent| {
        ev.prevent_default();
        over.set(false);
        if let Some(files) = ev.data_transfer().and_then(|d| d.files()) {
            start(files);
        }
    };
    view! {
        <div
            class="file-drop"
            class:over=move || over.get()
            data-testid="file-drop"
            on:dragover=move |ev: leptos::ev::DragEvent| {
                ev.prevent_default();
                over.set(true);
            }
            on:dragleave=move |_| over.set(false)
            on:drop=dropped
        >
            <label for=input_id.clone()>
                <strong>"Drop files here"</strong>" or "<span class="link">"choose files"</span>
            </label>
            <input id=input_id type="file" multiple on:change=picked/>
            {move || match progress.get() {
                Progress::Idle => None,
                Progress::Sending(done) => Some(view! {
                    <div class="upload-status" role="status">
                        <progress data-testid="upload-progress" max="1" value=done aria-label="Upload progress"></progress>
                        <span class="muted">{format!("Uploading… {:.0} %", done * 100.0)}</span>
                    </div>
                }.into_any()),
                Progress::Done(count) => Some(view! {
                    <div class="upload-status" role="status">
                        <progress data-testid="upload-progress" max="1" value="1" aria-label="Upload progress"></progress>
                        <span class="muted">{if count == 1 { "1 file uploaded.".to_string() } else { format!("{count} files uploaded.") }}</span>
                    </div>
                }.into_any()),
            }}
            {move || error.get().map(|message| view! { <div class="alert error" role="alert">{message}</div> })}
        </div>
    }
}

/// Sends the files to `/attachments/upload` with XMLHttpRequest (unlike `fetch`, it reports
/// upload progress); `finished` gets the new attachments or a message to show.
fn upload(
    reference: &str,
    files: &web_sys::FileList,
    progress: RwSignal<Progress>,
    finished: impl FnOnce(Result<Vec<Attachment>, String>) + 'static,
) -> Result<(), String> {
    let failed = |_| "The upload could not be started.".to_string();
    let form = web_sys::FormData::new().map_err(failed)?;
    for index in 0..files.length() {
        if let Some(file) = files.get(index) {
            form.append_with_blob_and_filename("files", &file, &file.name()).map_err(failed)?;
        }
    }
    let request = web_sys::XmlHttpRequest::new().map_err(failed)?;
    let target = format!("/attachments/upload?ticket={}", js_sys::encode_uri_component(reference));
    request.open("POST", &target).map_err(failed)?;
    let on_progress = Closure::<dyn FnMut(web_sys::ProgressEvent)>::new(move |event: web_sys::ProgressEvent| {
        if event.length_computable() && event.total() > 0.0 {
            progress.set(Progress::Sending(event.loaded() / event.total()));
        }
    });
    request.upload().map_err(failed)?.set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
    let answered = request.clone();
    // Frees itself once it has run (the request always ends: loaded, failed or aborted).
    let on_end = Closure::once_into_js(move || {
        // The progress handler lives as long as the request.
        drop(on_progress);
        let body = answered.response_text().ok().flatten().unwrap_or_default();
        let result = match answered.status().unwrap_or(0) {
            200 => serde_json::from_str::<Vec<Attachment>>(&body).map_err(|_| "The server's answer could not be read.".to_string()),
            0 => Err("The upload failed. Check your connection and try again.".to_string()),
            _ => Err(serde_json::from_str::<AppError>(&body).map(|e| e.to_string()).unwrap_or_else(|_| "The upload failed.".to_string())),
        };
        finished(result);
    });
    request.set_onloadend(Some(on_end.unchecked_ref()));
    request.send_with_opt_form_data(Some(&form)).map_err(failed)
}
