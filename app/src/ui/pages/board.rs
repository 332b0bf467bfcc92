//! The team's kanban board: drag and drop, keyboard moves, live updates, stage admin.

use leptos::ev::{DragEvent, SubmitEvent};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_params_map;

use crate::api::teams::{create_stage, fold_stage, rename_stage, reorder_stage, set_stage_pausing};
use crate::api::queues::{change_queue, load_queues};
use crate::api::tickets::{apply_routing_rules, create_ticket, get_board, move_ticket};
use crate::domain::validate::{MERGE_MAX, MERGE_MIN};
use crate::domain::{age, board::{apply_move, confirm}, resolution::resolves};
use crate::error::AppError;
use crate::model::*;
use super::merge::merge_href;
use crate::ui::components::{listen, use_toasts, Avatar, ErrorAlert, PriorityPill, PullNextButton, ResolutionDialog, SlaTimer};

/// How many more cards "Show more" loads into a column.
const PAGE: i64 = 50;

#[component]
pub fn BoardPage() -> impl IntoView {
    let params = use_params_map();
    let team_id = Memo::new(move |_| params.read().get("id").and_then(|id| id.parse::<i64>().ok()));
    let board = Resource::new(
        move || team_id.get(),
        |team| async move {
            match team {
                Some(id) => get_board(id, Vec::new(), BoardView::default()).await,
                None => Err(AppError::Invalid("That is not a team address.".into())),
            }
        },
    );
    view! {
        <div class="board-page">
            <Suspense fallback=|| view! { <p class="muted" style="padding:24px">"Loading board…"</p> }>
                {move || Suspend::new(async move {
                    match board.await {
                        Ok(board) => view! { <BoardView board/> }.into_any(),
                        Err(error) => view! { <main><ErrorAlert error/></main> }.into_any(),
                    }
                })}
            </Suspense>
        </div>
    }
}

/// Everything the columns and cards share.
#[derive(Clone, Copy)]
struct BoardContext {
    team_id: i64,
    columns: RwSignal<Vec<BoardColumn>>,
    limits: RwSignal<Vec<ColumnLimit>>,
    view: RwSignal<BoardView>,
    dragged: RwSignal<Option<String>>,
    drop_stage: RwSignal<Option<i64>>,
    can_manage: bool,
    /// References of the cards ticked for a bulk action.
    selected: RwSignal<Vec<String>>,
    reload: Callback<()>,
    /// (reference, to stage, before reference)
    move_card: Callback<(String, i64, Option<String>)>,
}

#[component]
fn BoardView(board: Board) -> impl IntoView {
    let toasts = use_toasts();
    let team = StoredValue::new(board.team.clone());
    let team_id = board.team.id;
    let columns = RwSignal::new(board.columns);
    let limits = RwSignal::new(Vec::<ColumnLimit>::new());
    let board_view = RwSignal::new(BoardView::default());

    // Reloading replaces the data, not the board: unchanged cards keep their DOM nodes.
    let reload = Callback::new(move |_: ()| {
        spawn_local(async move {
            match get_board(team_id, limits.get_untracked(), board_view.get_untracked()).await {
                Ok(fresh) => {
                    columns.try_set(fresh.columns);
                }
                Err(error) => toasts.error(error.to_string()),
            }
        })
    });

    let send_move = move |(reference, stage_id, before): (String, i64, Option<String>), resolution: Option<ResolutionInput>| {
        let mut next = columns.get_untracked();
        let Some(version) = apply_move(&mut next, &reference, stage_id, before.as_deref()) else { return };
        columns.set(next);
        spawn_local(async move {
            match move_ticket(reference, version, stage_id, before, resolution).await {
                Ok(card) => {
                    columns.try_update(|cols| confirm(cols, card));
                }
                Err(error) => {
                    toasts.error(error.to_string());
                    reload.run(());
                }
            }
        });
    };
    // A move into a solved stage waits for its resolution; cancelling leaves the card where it was.
    let resolving = RwSignal::new(None::<(String, i64, Option<String>)>);
    let move_card = Callback::new(move |planned: (String, i64, Option<String>)| {
        let category = |stage_id: i64| columns.with_untracked(|cols| cols.iter().find(|c| c.stage.id == stage_id).map(|c| c.stage.category));
        let from = columns.with_untracked(|cols| cols.iter().find(|c| c.cards.iter().any(|k| k.reference == planned.0)).map(|c| c.stage.category));
        match (from, category(planned.1)) {
            (Some(from), Some(to)) if resolves(from, to) => resolving.set(Some(planned)),
            _ => send_move(planned, None),
        }
    });
    let resolution_dialog = move || {
        resolving.get().map(|planned| {
            let reference = planned.0.clone();
            let confirm = Callback::new(move |resolution: ResolutionInput| {
                resolving.set(None);
                send_move(planned.clone(), Some(resolution));
            });
            view! { <ResolutionDialog reference on_confirm=confirm on_cancel=Callback::new(move |_| resolving.set(None))/> }
        })
    };

    let context = BoardContext {
        team_id,
        columns,
        limits,
        view: board_view,
        dragged: RwSignal::new(None),
        drop_stage: RwSignal::new(None),
        can_manage: board.can_manage_stages,
        selected: RwSignal::new(Vec::new()),
        reload,
        move_card,
    };
    listen(format!("/api/events?team={team_id}"), reload);

    let open = move || {
        columns.with(|cols| cols.iter().filter(|c| !c.stage.category.is_closing()).map(|c| c.total).sum::<i64>())
    };
    let stage_keys = move || columns.with(|cols| cols.iter().map(|c| c.stage.clone()).collect::<Vec<_>>());
    view! {
        <div class="page-head">
            <div>
                <h1>{team.with_value(|t| t.name.clone())}</h1>
                <span class="muted">{open} " open tickets · " {team.with_value(|t| t.visibility.label())}</span>
            </div>
            <div class="actions">
                <PullNextButton source=PullSource::Team(team_id)/>
                <a class="button" href="/tickets/new">"New ticket"</a>
                {board.can_manage_stages.then(|| view! { <a class="button" href=format!("/teams/{team_id}/settings")>"Team settings"</a> })}
            </div>
        </div>
        <Show when=move || columns.with(|cols| cols.iter().all(|c| c.total == 0))>
            <div class="empty-board" data-testid="empty-board-hint">
                <h2>"No tickets yet"</h2>
                <p class="muted">
                    "Create the first ticket with " <a href="/tickets/new">"New ticket"</a>
                    " or the quick-add field below; new tickets land in the first stage."
                    {board.can_manage_stages.then(|| view! {
                        " Members, followers and automatic assignment are in the "
                        <a href=format!("/teams/{team_id}/settings")>"team settings"</a> "."
                    })}
                </p>
            </div>
        </Show>
        <BoardToolbar context/>
        <SelectionBar context/>
        <div class="board">
            <For each=stage_keys key=|stage| (stage.id, stage.version) let(stage)>
                <StageColumn stage context/>
            </For>
            {board.can_manage_stages.then(|| view! { <AddStage context/> })}
        </div>
        {resolution_dialog}
    }
}

/// Order the cards by SLA urgency and narrow them to the tickets at risk.
#[component]
fn BoardToolbar(context: BoardContext) -> impl IntoView {
    let set_order = move |ev: leptos::ev::Event| {
        context.view.update(|v| v.by_urgency = event_target_value(&ev) == "urgency");
        context.reload.run(());
    };
    let set_filter = move |ev: leptos::ev::Event| {
        let filter = match event_target_value(&ev).as_str() {
            "at_risk" => SlaFilter::AtRisk,
            "breached" => SlaFilter::Breached,
            _ => SlaFilter::All,
        };
        context.view.update(|v| v.filter = filter);
        context.reload.run(());
    };
    view! {
        <div class="board-toolbar">
            <label for="board-order">"Order"</label>
            <select id="board-order" data-testid="board-order" on:change=set_order>
                <option value="manual" selected>"Manual"</option>
                <option value="urgency">"SLA urgency (due first)"</option>
            </select>
            <label for="board-filter">"Show"</label>
            <select id="board-filter" data-testid="board-filter" on:change=set_filter>
                <option value="all" selected>"All tickets"</option>
                <option value="at_risk">"At risk (warning or breached)"</option>
                <option value="breached">"Breached"</option>
            </select>
        </div>
    }
}

#[component]
fn StageColumn(stage: Stage, context: BoardContext) -> impl IntoView {
    let stage_id = stage.id;
    let column = Memo::new(move |_| context.columns.with(|cols| cols.iter().find(|c| c.stage.id == stage_id).map(|c| (c.total, c.cards.clone()))));
    let total = move || column.with(|c| c.as_ref().map(|(total, _)| *total).unwrap_or(0));
    let cards = move || column.with(|c| c.as_ref().map(|(_, cards)| cards.clone()).unwrap_or_default());
    let hidden = move || total() - column.with(|c| c.as_ref().map(|(_, cards)| cards.len() as i64).unwrap_or(0));
    let is_intake = context.columns.with_untracked(|cols| cols.iter().find(|c| !c.stage.category.is_closing()).map(|c| c.stage.id)) == Some(stage_id);

    let on_dragover = move |ev: DragEvent| {
        ev.prevent_default();
        context.drop_stage.set(Some(stage_id));
    };
    let on_drop = move |ev: DragEvent| {
        ev.prevent_default();
        context.drop_stage.set(None);
        if let Some(reference) = context.dragged.get_untracked() {
            context.move_card.run((reference, stage_id, None));
        }
    };
    let show_more = move |_| {
        let shown = column.with_untracked(|c| c.as_ref().map(|(_, cards)| cards.len() as i64).unwrap_or(0));
        context.limits.update(|limits| {
            limits.retain(|l| l.stage_id != stage_id);
            limits.push(ColumnLimit { stage_id, limit: shown + PAGE });
        });
        context.reload.run(());
    };

    view! {
        <section
            class="column"
            class:folded=stage.folded
            class:drop-target=move || context.drop_stage.get() == Some(stage_id)
            data-testid="stage-column"
            data-stage-id=stage_id
            data-stage-name=stage.name.clone()
            aria-label=format!("Stage {}", stage.name)
            on:dragover=on_dragover
            on:dragleave=move |_| context.drop_stage.set(None)
            on:drop=on_drop
        >
            <header class="column-head">
                <StageTitle stage=stage.clone() context/>
                <span class="column-count" title="Tickets in this stage">{total}</span>
            </header>
            {is_intake.then(|| view! { <QuickCreate context/> })}
            <div class="column-body" data-testid="column-body">
                <For each=cards key=|card| (card.reference.clone(), card.version, card.stage_id) let(card)>
                    <Card card context/>
                </For>
            </div>
            <Show when=move || { hidden() > 0 }>
                <button class="more small" on:click=show_more>"Show more (" {hidden} " more)"</button>
            </Show>
        </section>
    }
}

/// The stage name; for admins and leads also rename, move left/right and fold.
#[component]
fn StageTitle(stage: Stage, context: BoardContext) -> impl IntoView {
    let toasts = use_toasts();
    let name = stage.name.clone();
    let paused_badge = stage.pauses_sla.then(|| view! { <span class="badge paused" title="SLA clocks stop while tickets are in this stage">"SLA paused"</span> });
    if !context.can_manage {
        return view! { <span class="column-title">{name}</span> {paused_badge} }.into_any();
    }
    let editing = RwSignal::new(false);
    let draft = RwSignal::new(stage.name.clone());
    let index = context.columns.with_untracked(|cols| cols.iter().position(|c| c.stage.id == stage.id).unwrap_or(0)) as i64;
    let count = context.columns.with_untracked(|cols| cols.len()) as i64;
    let (id, version, folded, pauses) = (stage.id, stage.version, stage.folded, stage.pauses_sla);
    let finish = move |result: Result<(), AppError>| {
        if let Err(error) = result {
            toasts.error(error.to_string());
        }
        context.reload.run(());
    };
    let rename = move |ev: SubmitEvent| {
        ev.prevent_default();
        editing.set(false);
        let name = draft.get_untracked();
        spawn_local(async move { finish(rename_stage(id, version, name).await.map(|_| ())) });
    };
    let reorder = move |to: i64| spawn_local(async move { finish(reorder_stage(id, version, to).await.map(|_| ())) });
    let fold = move |_| spawn_local(async move { finish(fold_stage(id, version, !folded).await.map(|_| ())) });
    let toggle_pause = move |_| spawn_local(async move { finish(set_stage_pausing(id, version, !pauses).await.map(|_| ())) });
    view! {
        <Show
            when=move || editing.get()
            fallback=move || view! {
                <button class="ghost column-title" style="padding:0;text-align:left" title="Rename stage"
                    on:click=move |_| editing.set(true)>{name.clone()}</button>
            }
        >
            <form on:submit=rename style="flex:1">
                <input aria-label="Stage name" bind:value=draft on:blur=move |_| editing.set(false)/>
            </form>
        </Show>
        {paused_badge}
        <span class="stage-admin">
            <button class="ghost small" title="Move stage left" aria-label="Move stage left" disabled={index == 0}
                on:click=move |_| reorder(index - 1)>"◀"</button>
            <button class="ghost small" title="Move stage right" aria-label="Move stage right" disabled={index + 1 >= count}
                on:click=move |_| reorder(index + 1)>"▶"</button>
            <button class="ghost small" title={if folded { "Unfold stage" } else { "Fold stage" }}
                aria-label={if folded { "Unfold stage" } else { "Fold stage" }} on:click=fold>{if folded { "▸" } else { "▾" }}</button>
            <button class="ghost small" data-testid="stage-pausing" aria-pressed=pauses.to_string()
                title={if pauses { "SLA clocks pause here; click to let them run" } else { "Pause SLA clocks in this stage" }}
                aria-label={if pauses { "Let SLA clocks run in this stage" } else { "Pause SLA clocks in this stage" }} on:click=toggle_pause>
                <svg viewBox="0 0 16 16" width="12" height="12" aria-hidden="true" fill="currentColor"><rect x="3" y="2" width="3.5" height="12" rx="1"/><rect x="9.5" y="2" width="3.5" height="12" rx="1"/></svg>
            </button>
        </span>
    }
    .into_any()
}

#[component]
fn Card(card: TicketCard, context: BoardContext) -> impl IntoView {
    let reference = card.reference.clone();
    let stage_id = card.stage_id;
    let drop_before = RwSignal::new(false);
    let on_dragstart = {
        let reference = reference.clone();
        move |ev: DragEvent| {
            if let Some(transfer) = ev.data_transfer() {
                let _ = transfer.set_data("text/plain", &reference);
                transfer.set_effect_allowed("move");
            }
            context.dragged.set(Some(reference.clone()));
        }
    };
    let on_drop = {
        let reference = reference.clone();
        move |ev: DragEvent| {
            ev.prevent_default();
            ev.stop_propagation();
            drop_before.set(false);
            context.drop_stage.set(None);
            if let Some(dragged) = context.dragged.get_untracked() {
                context.move_card.run((dragged, stage_id, Some(reference.clone())));
            }
        }
    };
    let on_move_select = {
        let reference = reference.clone();
        move |ev: leptos::ev::Event| {
            if let Ok(to) = event_target_value(&ev).parse::<i64>() {
                // The card shows its stage until the move lands (or waits for its resolution).
                event_target::<web_sys::HtmlSelectElement>(&ev).set_value(&stage_id.to_string());
                context.move_card.run((reference.clone(), to, None));
            }
        }
    };
    let is_dragged = {
        let reference = reference.clone();
        move || context.dragged.with(|d| d.as_deref() == Some(reference.as_str()))
    };
    let stages = move || context.columns.with(|cols| cols.iter().map(|c| (c.stage.id, c.stage.name.clone())).collect::<Vec<_>>());
    let age = age::compact(card.created_at, chrono::Utc::now());
    let is_selected = {
        let reference = reference.clone();
        move || context.selected.with(|s| s.contains(&reference))
    };
    let on_select = {
        let reference = reference.clone();
        move |ev: leptos::ev::Event| {
            let on = event_target_checked(&ev);
            context.selected.update(|s| {
                s.retain(|r| *r != reference);
                if on {
                    s.push(reference.clone());
                }
            });
        }
    };
    view! {
        <article
            class=format!("card priority-{}", card.priority.as_str())
            class:dragging=is_dragged
            class:drop-before=move || drop_before.get()
            data-testid="ticket-card"
            data-ticket-ref=reference.clone()
            data-version=card.version
            draggable="true"
            on:dragstart=on_dragstart
            on:dragend=move |_| {
                context.dragged.set(None);
                context.drop_stage.set(None);
            }
            on:dragover=move |ev: DragEvent| {
                ev.prevent_default();
                drop_before.set(true);
            }
            on:dragleave=move |_| drop_before.set(false)
            on:drop=on_drop
        >
            <div class="card-top">
                <input type="checkbox" class="select" aria-label=format!("Select {reference}") prop:checked=is_selected on:change=on_select/>
                <span class="card-ref">{reference.clone()}</span>
                <PriorityPill priority=card.priority/>
                <span style="margin-left:auto" title=card.created_at.to_rfc3339()>{age}</span>
            </div>
            <a class="card-title" href=format!("/tickets/{reference}")>{card.title.clone()}</a>
            {card.sla.clone().map(|countdown| view! { <div class="card-sla"><SlaTimer countdown testid="sla-timer"/></div> })}
            <div class="card-bottom">
                <Avatar user=card.assignee.clone()/>
                <span class="customer">{card.customer.clone().unwrap_or_default()}</span>
                <select class="move" aria-label="Move to stage" on:change=on_move_select>
                    {move || stages().into_iter().map(|(id, name)| view! {
                        <option value=id selected={id == stage_id}>{name}</option>
                    }).collect_view()}
                </select>
            </div>
        </article>
    }
}

/// Bulk actions on the ticked cards.
#[component]
fn SelectionBar(context: BoardContext) -> impl IntoView {
    let toasts = use_toasts();
    let busy = RwSignal::new(false);
    let apply_routing = move |_| {
        busy.set(true);
        let references = context.selected.get_untracked();
        spawn_local(async move {
            match apply_routing_rules(references).await {
                Ok(outcome) => {
                    let routed = outcome.routed.len();
                    toasts.info(match routed {
                        0 => "No routing rule changed the selected tickets.".to_string(),
                        _ => format!("Routed {routed} ticket(s): {}. {} unchanged.", outcome.routed.join(", "), outcome.unchanged),
                    });
                    context.selected.set(Vec::new());
                }
                Err(error) => toasts.error(error.to_string()),
            }
            busy.try_set(false);
            context.reload.run(());
        });
    };
    let queues = LocalResource::new(load_queues);
    let add_to_queue = move |ev: leptos::ev::Event| {
        let Ok(queue_id) = event_target_value(&ev).parse::<i64>() else { return };
        let references = context.selected.get_untracked();
        spawn_local(async move {
            match change_queue(queue_id, references, true).await {
                Ok(added) => {
                    toasts.info(format!("Added {added} ticket(s) to the queue."));
                    context.selected.set(Vec::new());
                }
                Err(error) => toasts.error(error.to_string()),
            }
        });
    };
    view! {
        <Show when=move || context.selected.with(|s| !s.is_empty())>
            <div class="selection-bar" role="region" aria-label="Selected tickets" data-testid="selection-bar">
                <strong>{move || context.selected.with(Vec::len)} " selected"</strong>
                <button class="primary" on:click=apply_routing disabled=move || busy.get()>"Apply routing rules"</button>
                <Show
                    when=move || context.selected.with(|s| (MERGE_MIN..=MERGE_MAX).contains(&s.len()))
                    fallback=|| view! { <button disabled title=format!("Tick 2 to {MERGE_MAX} tickets to merge them")>"Merge…"</button> }
                >
                    <a class="button" data-testid="merge-selected" href=move || context.selected.with(|s| merge_href(s))>"Merge…"</a>
                </Show>
                <select aria-label="Add to queue" on:change=add_to_queue prop:value="">
                    <option value="" selected>"Add to queue…"</option>
                    {move || queues.get().and_then(Result::ok).map(|overview| {
                        overview.queues.into_iter().map(|q| view! { <option value=q.id>{q.name}</option> }).collect_view()
                    })}
                </select>
                <button on:click=move |_| context.selected.set(Vec::new())>"Clear selection"</button>
            </div>
        </Show>
    }
}

/// Title-only ticket creation at the top of the intake column.
#[component]
fn QuickCreate(context: BoardContext) -> impl IntoView {
    let toasts = use_toasts();
    let title = RwSignal::new(String::new());
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let text = title.get_untracked();
        if text.trim().is_empty() {
            return;
        }
        let input = TicketInput::quick(context.team_id, text);
        spawn_local(async move {
            match create_ticket(input).await {
                Ok(card) => {
                    title.set(String::new());
                    context.columns.try_update(|cols| {
                        if let Some(column) = cols.iter_mut().find(|c| c.stage.id == card.stage_id) {
                            column.total += 1;
                            column.cards.push(card);
                        }
                    });
                }
                Err(error) => toasts.error(error.to_string()),
            }
        });
    };
    view! {
        <form class="quick-create" on:submit=submit>
            <input placeholder="Quick add a ticket…" aria-label="Quick add a ticket" bind:value=title/>
        </form>
    }
}

#[component]
fn AddStage(context: BoardContext) -> impl IntoView {
    let toasts = use_toasts();
    let name = RwSignal::new(String::new());
    let category = RwSignal::new(StageCategory::InProgress);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let (stage_name, stage_category) = (name.get_untracked(), category.get_untracked());
        spawn_local(async move {
            match create_stage(context.team_id, stage_name, stage_category).await {
                Ok(_) => {
                    name.set(String::new());
                    context.reload.run(());
                }
                Err(error) => toasts.error(error.to_string()),
            }
        });
    };
    view! {
        <form class="column add-stage" on:submit=submit>
            <label for="new-stage-name">"Add a stage"</label>
            <input id="new-stage-name" placeholder="Stage name" bind:value=name/>
            <select aria-label="Stage category" style="margin-top:8px" on:change=move |ev| {
                if let Some(c) = StageCategory::parse(&event_target_value(&ev)) {
                    category.set(c);
                }
            }>
                {StageCategory::ALL.iter().map(|c| view! {
                    <option value=c.as_str() selected={*c == StageCategory::InProgress}>{c.label()}</option>
                }).collect_view()}
            </select>
            <button type="submit" style="margin-top:8px">"Add stage"</button>
        </form>
    }
}
