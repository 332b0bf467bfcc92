//! Attachments over HTTP, through the real router: multipart upload (same-origin, signed in,
//! limited per file), content types sniffed from the bytes, downloads always as attachments
//! (active content as opaque bytes), and 404 for what the caller may not see.

mod common;

use std::sync::Once;

use app::store::{attachments, users};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use common::{json_post, send, Reply, PASSWORD};
use serde_json::{json, Value};
use server::config::Config;

/// Every test here runs with a 1 MB limit per file.
const MAX_MB: u64 = 1;
const BOUNDARY: &str = "helpdesk-test-boundary-7MA4YWxkTrZu0gW";

struct Site {
    router: Router,
    state: app::state::AppState,
    _dir: tempfile::TempDir,
}

async fn site() -> Site {
    static LIMIT: Once = Once::new();
    LIMIT.call_once(|| std::env::set_var("HELPDESK_ATTACHMENT_MAX_MB", MAX_MB.to_string()));
    let dir = tempfile::tempdir().unwrap();
    let config = Config { database_url: format!("sqlite://{}", dir.path().join("demo.db").display()), addr: "127.0.0.1:0".parse().unwrap(), demo: true };
    let state = server::start(&config).await.unwrap();
    Site { router: server::router(state.clone()), state, _dir: dir }
}

impl Site {
    async fn login(&self, email: &str) -> String {
        let reply = send(&self.router, json_post("login", None, json!({ "email": email, "password": PASSWORD }))).await;
        assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
        reply.cookie.expect("a session cookie").split(';').next().unwrap().to_string()
    }

    async fn call(&self, cookie: &str, endpoint: &str, args: Value) -> Reply {
        send(&self.router, json_post(endpoint, Some(cookie), args)).await
    }

    async fn upload(&self, cookie: Option<&str>, reference: &str, files: &[(&str, &str, &[u8])]) -> Reply {
        send(&self.router, upload_request(cookie, reference, files, "same-origin")).await
    }

    async fn get(&self, cookie: Option<&str>, path: &str) -> Reply {
        let mut request = Request::get(path);
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, cookie);
        }
        send(&self.router, request.body(Body::empty()).unwrap()).await
    }

    /// Files in the content store (not counting thumbnails or partial uploads).
    fn stored_files(&self) -> usize {
        let Ok(folders) = std::fs::read_dir(self.state.files.dir()) else { return 0 };
        folders
            .filter_map(Result::ok)
            .filter(|folder| folder.file_name().len() == 2)
            .map(|folder| std::fs::read_dir(folder.path()).map(|files| files.count()).unwrap_or(0))
            .sum()
    }

    /// A Support ticket customer@demo.test follows.
    async fn customers_ticket(&self, customer: &str) -> String {
        let mine = self.call(customer, "my_tickets", json!({})).await;
        mine.body[0]["reference"].as_str().expect("the demo customer follows tickets").to_string()
    }
}

/// `files`: (file name, the type the browser claims, bytes).
fn upload_request(cookie: Option<&str>, reference: &str, files: &[(&str, &str, &[u8])], fetch_site: &str) -> Request<Body> {
    let mut body = Vec::new();
    for (name, declared, bytes) in files {
        body.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{name}\"\r\nContent-Type: {declared}\r\n\r\n").as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    let mut request = Request::post(format!("/attachments/upload?ticket={reference}"))
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={BOUNDARY}"))
        .header("sec-fetch-site", fetch_site);
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    request.body(Body::from(body)).unwrap()
}

fn ids(reply: &Reply) -> Vec<i64> {
    reply.body.as_array().unwrap_or_else(|| panic!("a list: {}", reply.text)).iter().map(|a| a["id"].as_i64().unwrap()).collect()
}

fn header_of<'a>(reply: &'a Reply, name: &str) -> &'a str {
    reply.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default()
}

const SVG: &[u8] = b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"><circle r=\"4\"/></svg>";

#[tokio::test]
async fn uploads_are_sniffed_stored_once_and_downloaded_as_attachments() {
    let site = site().await;
    let agent = site.login("agent1@demo.test").await;
    let customer = site.login("customer@demo.test").await;
    let reference = site.customers_ticket(&customer).await;
    let before = site.stored_files();

    let notes = b"Router log:\nlink down 09:14\n".as_slice();
    let first = site.upload(Some(&agent), &reference, &[("notes.txt", "text/plain", notes), ("logo.png", "image/png", SVG)]).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text);
    assert_eq!(first.body[0]["content_type"], "text/plain");
    assert_eq!(first.body[1]["content_type"], "image/svg+xml", "the browser said image/png; the bytes say SVG");
    assert_eq!(first.body[1]["has_thumbnail"], false);
    let again = site.upload(Some(&agent), &reference, &[("copy of notes.txt", "application/pdf", notes)]).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.text);
    assert_eq!(site.stored_files(), before + 2, "the same bytes twice are stored once");

    let (notes_id, svg_id, copy_id) = (ids(&first)[0], ids(&first)[1], ids(&again)[0]);
    let download = site.get(Some(&agent), &format!("/attachments/{copy_id}")).await;
    assert_eq!(download.status, StatusCode::OK);
    assert_eq!(download.text.as_bytes(), notes);
    assert_eq!(header_of(&download, "content-type"), "text/plain; charset=utf-8");
    assert_eq!(header_of(&download, "content-disposition"), "attachment; filename=\"copy of notes.txt\"; filename*=UTF-8''copy%20of%20notes.txt");
    assert_eq!(header_of(&download, "x-content-type-options"), "nosniff");

    let svg = site.get(Some(&agent), &format!("/attachments/{svg_id}")).await;
    assert_eq!((svg.status, header_of(&svg, "content-type")), (StatusCode::OK, "application/octet-stream"), "never served as SVG");
    assert!(header_of(&svg, "content-disposition").starts_with("attachment;"));

    let listed = site.call(&agent, "ticket_attachments", json!({ "reference": reference })).await;
    let listed_ids: Vec<i64> = ids(&listed);
    assert!([notes_id, svg_id, copy_id].iter().all(|id| listed_ids.contains(id)), "{listed_ids:?}");

    // Removing both uses of the notes removes the stored file.
    for id in [notes_id, copy_id] {
        assert_eq!(site.call(&agent, "delete_attachment", json!({ "id": id })).await.status, StatusCode::OK);
    }
    assert_eq!(site.stored_files(), before + 1);
    assert_eq!(site.get(Some(&agent), &format!("/attachments/{notes_id}")).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn customers_get_404_for_files_of_notes_unsent_files_and_other_tickets() {
    let site = site().await;
    let agent_cookie = site.login("agent1@demo.test").await;
    let customer = site.login("customer@demo.test").await;
    let reference = site.customers_ticket(&customer).await;
    let uploaded = site
        .upload(Some(&agent_cookie), &reference, &[("reply.txt", "text/plain", b"for the customer"), ("note.txt", "text/plain", b"internal only"), ("draft.txt", "text/plain", b"unsent")])
        .await;
    let [on_reply, on_note, unsent] = ids(&uploaded)[..] else { panic!("three files: {}", uploaded.text) };

    // The conversation code links files to messages; here the messages are written directly.
    let db = &site.state.db;
    let ticket_id: i64 = sqlx::query_scalar("SELECT id FROM tickets WHERE number = ?")
        .bind(app::domain::reference::parse(&reference).unwrap())
        .fetch_one(&db.read)
        .await
        .unwrap();
    let agent_id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE email = 'agent1@demo.test'").fetch_one(&db.read).await.unwrap();
    let agent = users::user_by_id(db, agent_id).await.unwrap();
    let mut tx = db.begin_write().await.unwrap();
    for (kind, file) in [("reply", on_reply), ("note", on_note)] {
        let message: i64 = sqlx::query_scalar("INSERT INTO messages (ticket_id, kind, author_id, body, body_html, created_at) VALUES (?, ?, ?, 'x', '<p>x</p>', ?) RETURNING id")
            .bind(ticket_id)
            .bind(kind)
            .bind(agent_id)
            .bind(chrono::Utc::now())
            .fetch_one(&mut *tx)
            .await
            .unwrap();
        attachments::attach_to_message(&mut tx, &agent, ticket_id, message, &[file]).await.unwrap();
    }
    tx.commit().await.unwrap();

    let reply = site.get(Some(&customer), &format!("/attachments/{on_reply}")).await;
    assert_eq!((reply.status, reply.text.as_str()), (StatusCode::OK, "for the customer"));
    let missing = site.get(Some(&customer), "/attachments/999999").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    for hidden in [on_note, unsent] {
        let refused = site.get(Some(&customer), &format!("/attachments/{hidden}")).await;
        assert_eq!(refused.status, StatusCode::NOT_FOUND, "{}", refused.text);
        assert_eq!(refused.text.replace(&hidden.to_string(), "#"), missing.text.replace("999999", "#"), "hidden reads like missing");
        assert_eq!(site.get(Some(&customer), &format!("/attachments/{hidden}/thumbnail")).await.status, StatusCode::NOT_FOUND);
    }
    assert_eq!(site.get(Some(&agent_cookie), &format!("/attachments/{on_note}")).await.status, StatusCode::OK, "staff read notes' files");
    let listed = ids(&site.call(&customer, "ticket_attachments", json!({ "reference": reference })).await);
    assert!(listed.contains(&on_reply) && !listed.contains(&on_note) && !listed.contains(&unsent), "{listed:?}");

    // A ticket the customer does not follow: neither its files nor uploads to it.
    let others: Vec<i64> = sqlx::query_scalar(
        "SELECT k.number FROM tickets k JOIN teams t ON t.id = k.team_id WHERE t.name = 'Support'
            AND NOT EXISTS (SELECT 1 FROM ticket_followers f JOIN users u ON u.id = f.user_id WHERE f.ticket_id = k.id AND u.email = 'customer@demo.test')
          ORDER BY k.number LIMIT 1",
    )
    .fetch_all(&db.read)
    .await
    .unwrap();
    let other = format!("HD-{}", others[0]);
    let elsewhere = ids(&site.upload(Some(&agent_cookie), &other, &[("theirs.txt", "text/plain", b"someone else's")]).await)[0];
    assert_eq!(site.get(Some(&customer), &format!("/attachments/{elsewhere}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(site.upload(Some(&customer), &other, &[("mine.txt", "text/plain", b"x")]).await.status, StatusCode::NOT_FOUND);
    let own = site.upload(Some(&customer), &reference, &[("screenshot.txt", "text/plain", b"what I see")]).await;
    assert_eq!(own.status, StatusCode::OK, "customers attach files to their own tickets: {}", own.text);
}

#[tokio::test]
async fn a_file_over_the_limit_is_refused_with_413_and_stores_nothing() {
    let site = site().await;
    let agent = site.login("agent1@demo.test").await;
    let customer = site.login("customer@demo.test").await;
    let reference = site.customers_ticket(&customer).await;
    let before = site.stored_files();
    let big = vec![b'x'; (MAX_MB * 1024 * 1024) as usize + 1];
    let refused = site.upload(Some(&agent), &reference, &[("big.log", "text/plain", &big)]).await;
    assert_eq!(refused.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", refused.text);
    let message = refused.body["Invalid"].as_str().unwrap_or_default();
    assert!(message.contains("\"big.log\"") && message.contains("1 MB"), "{message}");
    assert_eq!(site.stored_files(), before);
    let incoming = std::fs::read_dir(site.state.files.dir().join("incoming")).map(|d| d.count()).unwrap_or(0);
    assert_eq!(incoming, 0, "no partial file is left behind");
    let exactly = vec![b'y'; (MAX_MB * 1024 * 1024) as usize];
    assert_eq!(site.upload(Some(&agent), &reference, &[("fits.log", "text/plain", &exactly)]).await.status, StatusCode::OK);
}

#[tokio::test]
async fn uploads_need_a_session_and_the_same_origin() {
    let site = site().await;
    let agent = site.login("agent1@demo.test").await;
    let customer = site.login("customer@demo.test").await;
    let reference = site.customers_ticket(&customer).await;
    let file: &[(&str, &str, &[u8])] = &[("a.txt", "text/plain", b"a")];
    assert_eq!(site.upload(None, &reference, file).await.status, StatusCode::UNAUTHORIZED);
    let cross_site = send(&site.router, upload_request(Some(&agent), &reference, file, "cross-site")).await;
    assert_eq!(cross_site.status, StatusCode::FORBIDDEN);
    assert_eq!(site.get(None, "/attachments/1").await.status, StatusCode::UNAUTHORIZED);
    // Multipart goes to the upload route only: a server function still refuses it.
    let mut multipart_to_api = upload_request(Some(&agent), &reference, file, "same-origin");
    *multipart_to_api.uri_mut() = "/api/ticket_attachments".parse().unwrap();
    assert_eq!(send(&site.router, multipart_to_api).await.status, StatusCode::FORBIDDEN);
    assert_eq!(site.upload(Some(&agent), "HD-999999", file).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn images_have_png_thumbnails() {
    let site = site().await;
    let agent = site.login("agent1@demo.test").await;
    let customer = site.login("customer@demo.test").await;
    // The demo customer's screenshot is a PNG on her tickets.
    let mut image = None;
    for ticket in site.call(&customer, "my_tickets", json!({})).await.body.as_array().unwrap() {
        let listed = site.call(&customer, "ticket_attachments", json!({ "reference": ticket["reference"] })).await;
        image = image.or_else(|| listed.body.as_array().unwrap().iter().find(|a| a["has_thumbnail"] == true).cloned());
    }
    let image = image.expect("the demo puts a screenshot on the customer's tickets");
    for cookie in [&customer, &agent] {
        let thumbnail = site.get(Some(cookie), &format!("/attachments/{}/thumbnail", image["id"])).await;
        assert_eq!((thumbnail.status, header_of(&thumbnail, "content-type")), (StatusCode::OK, "image/png"));
        assert!(thumbnail.headers.get("content-disposition").is_some_and(|v| v.to_str().unwrap().starts_with("inline")));
    }
}
