use super::*;
use crate::model::{TicketCard, TicketInput};
use crate::store::fixtures::Org;
use crate::store::tickets;

const MB: u64 = 1024 * 1024;

fn png(width: u32, height: u32) -> Vec<u8> {
    let image = image::DynamicImage::ImageRgba8(image::RgbaImage::from_pixel(width, height, image::Rgba([200, 40, 40, 255])));
    let mut bytes = Cursor::new(Vec::new());
    image.write_to(&mut bytes, image::ImageFormat::Png).unwrap();
    bytes.into_inner()
}

/// Files stored in the organisation's temporary folder.
fn files_of(org: &Org) -> Files {
    Files::new(org.db_dir().join("attachments"), 20 * MB)
}

async fn upload_one(org: &Org, files: &Files, user: &CurrentUser, reference: &str, name: &str, bytes: &[u8]) -> Attachment {
    let staged = files.stage_bytes(name, bytes).await.unwrap();
    upload(&org.db, files, user, reference, vec![staged], org.now).await.unwrap().remove(0)
}

async fn stored_files(files: &Files) -> usize {
    let mut count = 0;
    let mut folders = tokio::fs::read_dir(files.dir()).await.unwrap();
    while let Some(folder) = folders.next_entry().await.unwrap() {
        let name = folder.file_name().to_string_lossy().to_string();
        if name.len() == 2 {
            let mut inside = tokio::fs::read_dir(folder.path()).await.unwrap();
            while inside.next_entry().await.unwrap().is_some() {
                count += 1;
            }
        }
    }
    count
}

async fn blob_rows(org: &Org) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM blobs").fetch_one(&org.db.read).await.unwrap()
}

#[tokio::test]
async fn the_same_bytes_are_stored_once_and_go_with_their_last_reference() {
    let org = Org::new().await;
    let files = files_of(&org);
    let first = org.ticket("Printer").await;
    let second = org.ticket("Scanner").await;
    let bytes = b"error log: paper jam in tray 2\n";
    let a = upload_one(&org, &files, &org.agent, &first.reference, "log.txt", bytes).await;
    let b = upload_one(&org, &files, &org.other_agent, &second.reference, "same-log.txt", bytes).await;
    let other = upload_one(&org, &files, &org.agent, &first.reference, "other.txt", b"something else").await;
    assert_eq!((blob_rows(&org).await, stored_files(&files).await), (2, 2), "two distinct contents");
    assert_eq!(download(&org.db, &files, &org.agent, b.id).await.unwrap().bytes, bytes);

    delete(&org.db, &files, &org.agent, a.id, org.now).await.unwrap();
    assert_eq!(stored_files(&files).await, 2, "the other ticket still uses the file");
    assert!(matches!(download(&org.db, &files, &org.agent, a.id).await, Err(AppError::NotFound(_))), "a removed attachment is gone");
    assert_eq!(download(&org.db, &files, &org.agent, b.id).await.unwrap().bytes, bytes);

    delete(&org.db, &files, &org.other_agent, b.id, org.now).await.unwrap();
    assert_eq!((blob_rows(&org).await, stored_files(&files).await), (1, 1), "the last reference took the file with it");
    assert_eq!(download(&org.db, &files, &org.agent, other.id).await.unwrap().bytes, b"something else");

    // Uploading the content again stores it again.
    let again = upload_one(&org, &files, &org.agent, &first.reference, "log.txt", bytes).await;
    assert_eq!(download(&org.db, &files, &org.agent, again.id).await.unwrap().bytes, bytes);
    let names: Vec<String> = for_ticket(&org.db, &org.agent, &first.reference).await.unwrap().into_iter().map(|a| a.file_name).collect();
    assert_eq!(names, ["other.txt", "log.txt"]);
}

#[tokio::test]
async fn only_the_uploader_or_a_lead_removes_a_file() {
    let org = Org::new().await;
    let files = files_of(&org);
    let ticket = org.ticket("Router").await;
    let file = upload_one(&org, &files, &org.agent, &ticket.reference, "config.txt", b"mtu 1400").await;
    assert!(file.can_delete);
    assert!(!for_ticket(&org.db, &org.other_agent, &ticket.reference).await.unwrap()[0].can_delete);
    assert!(matches!(delete(&org.db, &files, &org.other_agent, file.id, org.now).await, Err(AppError::Forbidden(_))));
    delete(&org.db, &files, &org.lead, file.id, org.now).await.unwrap();
    assert!(matches!(delete(&org.db, &files, &org.lead, file.id, org.now).await, Err(AppError::NotFound(_))), "already removed");
}

async fn message(org: &Org, ticket: &TicketCard, kind: &str) -> i64 {
    let ticket_id = org.ticket_id(&ticket.reference).await;
    sqlx::query_scalar("INSERT INTO messages (ticket_id, kind, author_id, body, body_html, created_at) VALUES (?, ?, ?, 'text', '<p>text</p>', ?) RETURNING id")
        .bind(ticket_id)
        .bind(kind)
        .bind(org.agent.id)
        .bind(org.now)
        .fetch_one(&org.db.write)
        .await
        .unwrap()
}

async fn attach(org: &Org, user: &CurrentUser, ticket: &TicketCard, message_id: i64, ids: &[i64]) -> Result<(), AppError> {
    let ticket_id = org.ticket_id(&ticket.reference).await;
    let mut tx = org.db.begin_write().await.unwrap();
    attach_to_message(&mut tx, user, ticket_id, message_id, ids).await?;
    tx.commit().await.unwrap();
    Ok(())
}

#[tokio::test]
async fn customers_never_see_the_files_of_notes() {
    let org = Org::new().await;
    let files = files_of(&org);
    let (portal_team, _) = org.team("Portal", "public", &[org.agent.id]).await;
    let ticket = tickets::create(&org.db, &org.agent, &TicketInput::quick(portal_team, "Invoice question"), org.now).await.unwrap();
    let customer = org.customer().await;
    org.follow(&ticket.reference, customer.id).await;

    let on_reply = upload_one(&org, &files, &org.agent, &ticket.reference, "invoice.pdf", b"%PDF-1.4 reply copy").await;
    let on_note = upload_one(&org, &files, &org.agent, &ticket.reference, "internal.txt", b"credit check: declined").await;
    let not_sent = upload_one(&org, &files, &org.agent, &ticket.reference, "draft.txt", b"not sent yet").await;
    let from_customer = upload_one(&org, &files, &customer, &ticket.reference, "screenshot.txt", b"what I see").await;
    let (reply, note) = (message(&org, &ticket, "reply").await, message(&org, &ticket, "note").await);
    attach(&org, &org.agent, &ticket, reply, &[on_reply.id]).await.unwrap();
    attach(&org, &org.agent, &ticket, note, &[on_note.id]).await.unwrap();

    let seen = |list: Vec<Attachment>| list.into_iter().map(|a| a.id).collect::<Vec<_>>();
    assert_eq!(seen(for_ticket(&org.db, &org.agent, &ticket.reference).await.unwrap()), [on_reply.id, on_note.id, not_sent.id, from_customer.id]);
    assert_eq!(seen(for_ticket(&org.db, &customer, &ticket.reference).await.unwrap()), [on_reply.id, from_customer.id]);
    assert_eq!(download(&org.db, &files, &customer, on_reply.id).await.unwrap().bytes, b"%PDF-1.4 reply copy");
    let missing = download(&org.db, &files, &customer, 999_999).await.unwrap_err();
    for hidden in [on_note.id, not_sent.id] {
        let refused = download(&org.db, &files, &customer, hidden).await.unwrap_err();
        assert_eq!(refused.to_string().replace(&hidden.to_string(), "N"), missing.to_string().replace("999999", "N"), "hidden reads like missing");
        assert!(matches!(delete(&org.db, &files, &customer, hidden, org.now).await, Err(AppError::NotFound(_))));
    }

    // A ticket the customer does not follow hides its files whatever they are on.
    let other = tickets::create(&org.db, &org.agent, &TicketInput::quick(portal_team, "Someone else's"), org.now).await.unwrap();
    let elsewhere = upload_one(&org, &files, &org.agent, &other.reference, "theirs.txt", b"private").await;
    let other_reply = message(&org, &other, "reply").await;
    attach(&org, &org.agent, &other, other_reply, &[elsewhere.id]).await.unwrap();
    assert!(matches!(download(&org.db, &files, &customer, elsewhere.id).await, Err(AppError::NotFound(_))));
    assert!(matches!(for_ticket(&org.db, &customer, &other.reference).await, Err(AppError::NotFound(_))));
    let staged = files.stage_bytes("x.txt", b"x").await.unwrap();
    assert!(matches!(upload(&org.db, &files, &customer, &other.reference, vec![staged], org.now).await, Err(AppError::NotFound(_))));

    // Once the reply is deleted, its files are no longer the customer's to see.
    sqlx::query("UPDATE messages SET deleted_at = ? WHERE id = ?").bind(org.now).bind(reply).execute(&org.db.write).await.unwrap();
    assert_eq!(seen(for_ticket(&org.db, &customer, &ticket.reference).await.unwrap()), [from_customer.id]);
}

#[tokio::test]
async fn only_the_uploaders_unsent_files_of_the_ticket_go_with_a_message() {
    let org = Org::new().await;
    let files = files_of(&org);
    let ticket = org.ticket("VPN").await;
    let other_ticket = org.ticket("Laptop").await;
    let mine = upload_one(&org, &files, &org.agent, &ticket.reference, "a.txt", b"a").await;
    let theirs = upload_one(&org, &files, &org.other_agent, &ticket.reference, "b.txt", b"b").await;
    let elsewhere = upload_one(&org, &files, &org.agent, &other_ticket.reference, "c.txt", b"c").await;
    let first = message(&org, &ticket, "reply").await;
    let second = message(&org, &ticket, "reply").await;
    assert!(matches!(attach(&org, &org.agent, &ticket, first, &[theirs.id]).await, Err(AppError::Invalid(_))), "uploaded by someone else");
    assert!(matches!(attach(&org, &org.agent, &ticket, first, &[elsewhere.id]).await, Err(AppError::Invalid(_))), "on another ticket");
    assert!(matches!(attach(&org, &org.agent, &ticket, first, &[mine.id, 999_999]).await, Err(AppError::Invalid(_))), "all or nothing");
    attach(&org, &org.agent, &ticket, first, &[mine.id]).await.unwrap();
    assert!(matches!(attach(&org, &org.agent, &ticket, second, &[mine.id]).await, Err(AppError::Invalid(_))), "already sent");
    let listed = for_ticket(&org.db, &org.agent, &ticket.reference).await.unwrap();
    assert_eq!(listed.iter().map(|a| (a.id, a.message_id)).collect::<Vec<_>>(), [(mine.id, Some(first)), (theirs.id, None)]);
    let too_many = vec![mine.id; FILES_PER_MESSAGE_MAX + 1];
    assert!(matches!(attach(&org, &org.agent, &ticket, second, &too_many).await, Err(AppError::Invalid(_))));
}

#[tokio::test]
async fn content_types_come_from_the_bytes_not_the_name() {
    let org = Org::new().await;
    let files = files_of(&org);
    let staged = |name: &'static str, bytes: Vec<u8>| {
        let files = files.clone();
        async move { files.stage_bytes(name, &bytes).await.unwrap().content_type }
    };
    assert_eq!(staged("notes.txt", png(4, 4)).await, "image/png", "a PNG named .txt");
    assert_eq!(staged("photo.png", b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>".to_vec()).await, "image/svg+xml");
    assert_eq!(staged("page.jpg", b"<!doctype html><p>hi".to_vec()).await, "text/html");
    assert_eq!(staged("data.bin", "Grüße aus Köln\n".as_bytes().to_vec()).await, "text/plain");
    assert_eq!(staged("readme.txt", vec![0xff, 0xfe, 0x00, 0x41, 0x80]).await, "application/octet-stream");
    assert_eq!(staged("%PDF.exe", b"%PDF-1.7\n...".to_vec()).await, "application/pdf");

    // A character split between two chunks is still text; a broken one is not.
    let mut split = files.stage("split.txt").await.unwrap();
    let text = "é".as_bytes();
    split.push(&text[..1]).await.unwrap();
    split.push(&text[1..]).await.unwrap();
    assert_eq!(split.finish().await.unwrap().content_type, "text/plain");
    let mut broken = files.stage("broken.txt").await.unwrap();
    broken.push(&text[..1]).await.unwrap();
    assert_eq!(broken.finish().await.unwrap().content_type, "application/octet-stream");
}

#[tokio::test]
async fn files_over_the_limit_are_refused_and_leave_nothing_behind() {
    let org = Org::new().await;
    let files = Files::new(org.db_dir().join("attachments"), 10);
    let mut staging = files.stage("big.log").await.unwrap();
    staging.push(b"0123456789").await.unwrap();
    let refused = staging.push(b"!").await.unwrap_err();
    assert!(matches!(&refused, AppError::Invalid(m) if m.contains("\"big.log\"") && m.contains("MB")), "{refused:?}");
    drop(staging);
    let mut incoming = tokio::fs::read_dir(files.dir().join("incoming")).await.unwrap();
    assert!(incoming.next_entry().await.unwrap().is_none(), "the partial file is removed");
}

#[tokio::test]
async fn images_get_small_png_thumbnails() {
    let org = Org::new().await;
    let files = files_of(&org);
    let ticket = org.ticket("Broken screen").await;
    let photo = upload_one(&org, &files, &org.agent, &ticket.reference, "screen.png", &png(600, 300)).await;
    assert!(photo.has_thumbnail);
    let thumb = thumbnail(&org.db, &files, &org.agent, photo.id).await.unwrap();
    let decoded = image::load_from_memory_with_format(&thumb, image::ImageFormat::Png).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (240, 120));
    assert_eq!(thumbnail(&org.db, &files, &org.agent, photo.id).await.unwrap(), thumb, "served from the cache");
    let text = upload_one(&org, &files, &org.agent, &ticket.reference, "a.txt", b"text").await;
    assert!(!text.has_thumbnail);
    assert!(matches!(thumbnail(&org.db, &files, &org.agent, text.id).await, Err(AppError::NotFound(_))));
    delete(&org.db, &files, &org.agent, photo.id, org.now).await.unwrap();
    assert!(!tokio::fs::try_exists(files.thumbnail_path(&sha_of(&png(600, 300)))).await.unwrap(), "the thumbnail goes with its file");
}

fn sha_of(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}
