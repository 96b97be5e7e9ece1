//! The Appointment tab (A1–A2): the booked technician appointments with their date, window,
//! address and note; rescheduling to another free window and cancelling; booking a repair or
//! the installation of a move request (`?move=<id>`, linked from Home).

use chrono::{Datelike, NaiveDate, Weekday};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::{
    api::appointments::{
        AppointmentView, Appointments, BookAppointment, CancelAppointment, MoveChoice,
        RescheduleAppointment, SlotView, get_appointments,
    },
    components::{
        action_form::{ActionForm, FormAction},
        form::{Field, FormAlert, SuccessNotice, problem_message, shown_error},
        locale::use_lang,
        page_error::PageError,
    },
    domain::{account::AppointmentKind, appointment::NOTE_MAX_CHARS, format, lang::Lang},
    error::AppError,
    i18n::*,
    page_data::page_data,
    paths,
};

/// What the last change did, announced in the status region.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Notice {
    Booked,
    Rescheduled,
    Cancelled,
}

/// Reloads the appointments after a change and says what happened.
#[derive(Debug, Clone, Copy)]
struct Changes {
    version: RwSignal<u32>,
    notice: RwSignal<Option<Notice>>,
}

impl Changes {
    fn settle_on<S>(self, action: FormAction<S>, notice: Notice)
    where
        S: leptos::server_fn::ServerFn<Output = (), Error = AppError>
            + Clone
            + Send
            + Sync
            + 'static,
    {
        Effect::new(move |_| {
            if let Some(result) = action.value().get() {
                if result.is_ok() || result == Err(AppError::Stale) {
                    self.version.update(|v| *v += 1);
                }
                self.notice.set(result.is_ok().then_some(notice));
            }
        });
    }
}

/// The Appointment page.
#[component]
pub fn AppointmentPage() -> impl IntoView {
    let i18n = use_i18n();
    let changes = Changes {
        version: RwSignal::new(0),
        notice: RwSignal::new(None),
    };
    provide_context(changes);
    let data = page_data(move || changes.version.get(), |_| get_appointments());
    let query = use_query_map();
    let content = move || {
        Suspend::new(async move {
            match data.await {
                Ok(data) => {
                    let chosen_move = query
                        .read_untracked()
                        .get("move")
                        .and_then(|id| id.parse::<i64>().ok());
                    view! { <AppointmentsView data chosen_move /> }.into_any()
                }
                Err(error) => view! { <PageError error /> }.into_any(),
            }
        })
    };
    view! {
        <Title text=untrack(|| t_string!(i18n, appointment.title).to_string()) />
        <div class="page">
            <h1>{t!(i18n, appointment.title)}</h1>
            <SuccessNotice
                testid="appointment-notice"
                message=move || {
                    changes
                        .notice
                        .get()
                        .map(|notice| match notice {
                            Notice::Booked => t!(i18n, appointment.booked).into_any(),
                            Notice::Rescheduled => t!(i18n, appointment.rescheduled).into_any(),
                            Notice::Cancelled => t!(i18n, appointment.cancelled).into_any(),
                        })
                }
            />
            <Suspense fallback=|| view! { <p class="loading" aria-busy="true"></p> }>
                {content}
            </Suspense>
        </div>
    }
}

#[component]
fn AppointmentsView(data: Appointments, chosen_move: Option<i64>) -> impl IntoView {
    let i18n = use_i18n();
    let Appointments {
        appointments,
        slots,
        street,
        postal_code,
        city,
        moves,
        can_book,
        booking_key,
    } = data;
    let chosen = chosen_move.and_then(|id| moves.iter().find(|m| m.id == id).cloned());
    let booked = if appointments.is_empty() {
        view! { <p class="card" data-testid="no-appointment">{t!(i18n, appointment.none)}</p> }
            .into_any()
    } else {
        appointments
            .into_iter()
            .map(|appointment| view! { <AppointmentCard appointment slots=slots.clone() /> })
            .collect_view()
            .into_any()
    };
    let booking = if !can_book {
        view! { <p class="card">{t!(i18n, appointment.limit)}</p> }.into_any()
    } else if slots.is_empty() {
        view! { <p class="card">{t!(i18n, appointment.no_slots)}</p> }.into_any()
    } else {
        let home = (street, postal_code, city);
        view! { <BookingForm slots moves chosen home booking_key /> }.into_any()
    };
    view! {
        <section class="stack" aria-labelledby="booked-heading">
            <h2 id="booked-heading" class="visually-hidden">{t!(i18n, appointment.booked_title)}</h2>
            {booked}
        </section>
        {booking}
    }
}

/// The label of a day with its weekday, e.g. "Mon 30/11/2026".
fn day_label(day: NaiveDate, lang: Lang) -> String {
    let i18n = use_i18n();
    let weekday = match day.weekday() {
        Weekday::Mon => t_string!(i18n, appointment.mon),
        Weekday::Tue => t_string!(i18n, appointment.tue),
        Weekday::Wed => t_string!(i18n, appointment.wed),
        Weekday::Thu => t_string!(i18n, appointment.thu),
        Weekday::Fri => t_string!(i18n, appointment.fri),
        Weekday::Sat => t_string!(i18n, appointment.sat),
        Weekday::Sun => t_string!(i18n, appointment.sun),
    };
    format!("{weekday} {}", format::date(day, lang))
}

fn window(slot: &SlotView) -> String {
    format!(
        "{}–{}",
        format::clock(slot.starts_at),
        format::clock(slot.ends_at)
    )
}

#[component]
fn KindText(kind: AppointmentKind) -> impl IntoView {
    let i18n = use_i18n();
    match kind {
        AppointmentKind::Installation => t!(i18n, appointment.kind_installation).into_any(),
        AppointmentKind::Repair => t!(i18n, appointment.kind_repair).into_any(),
    }
}

/// One booked appointment (A1) with its reschedule and cancel forms (A2).
#[component]
fn AppointmentCard(appointment: AppointmentView, slots: Vec<SlotView>) -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let changes = expect_context::<Changes>();
    let reschedule = FormAction::<RescheduleAppointment>::new();
    let cancel = FormAction::<CancelAppointment>::new();
    changes.settle_on(reschedule, Notice::Rescheduled);
    changes.settle_on(cancel, Notice::Cancelled);
    let reschedule_error = shown_error(reschedule);
    let cancel_error = shown_error(cancel);
    let id = appointment.id;
    let slot = appointment.slot.clone();
    let day = slot.day;
    let changes_view = if appointment.changeable {
        view! {
            <details class="appointment-change" data-testid="reschedule">
                <summary class="btn btn-outline btn-small">{t!(i18n, appointment.reschedule)}</summary>
                <ActionForm action=reschedule attr:class="stack" attr:novalidate=true>
                    <FormAlert error=reschedule_error />
                    <input type="hidden" name="appointment_id" value=id />
                    <SlotSelect id=format!("reschedule-slot-{id}") slots error=reschedule_error />
                    <button type="submit" class="btn btn-primary" data-testid="reschedule-submit">
                        {t!(i18n, appointment.reschedule_submit)}
                    </button>
                </ActionForm>
            </details>
            <ActionForm action=cancel attr:class="stack">
                <FormAlert error=cancel_error />
                <input type="hidden" name="appointment_id" value=id />
                <button type="submit" class="btn btn-outline" data-testid="cancel-appointment">
                    {t!(i18n, appointment.cancel)}
                </button>
            </ActionForm>
        }
        .into_any()
    } else {
        view! { <p class="part-note">{t!(i18n, appointment.too_late)}</p> }.into_any()
    };
    view! {
        <article class="card appointment" data-testid="appointment">
            <h3>
                <KindText kind=appointment.kind />
                {appointment.for_move.then(|| view! { " · " {t!(i18n, appointment.for_move)} })}
            </h3>
            <dl class="pairs">
                <dt>{t!(i18n, appointment.date)}</dt>
                <dd data-testid="appointment-date">{move || day_label(day, lang.get())}</dd>
                <dt>{t!(i18n, appointment.window)}</dt>
                <dd data-testid="appointment-window">{window(&slot)}</dd>
                <dt>{t!(i18n, appointment.address)}</dt>
                <dd>
                    {format!(
                        "{}, {} {}",
                        appointment.street,
                        appointment.postal_code,
                        appointment.city,
                    )}
                </dd>
                {appointment
                    .note
                    .clone()
                    .map(|note| {
                        view! {
                            <dt>{t!(i18n, appointment.note)}</dt>
                            <dd class="appointment-note">{note}</dd>
                        }
                    })}
            </dl>
            {changes_view}
        </article>
    }
}

/// The free windows as a list grouped by day (a native select: compact on a phone, usable
/// with a keyboard and without JavaScript).
#[component]
fn SlotSelect(
    id: String,
    slots: Vec<SlotView>,
    #[prop(into)] error: Signal<Option<AppError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let problem = move || error.get().and_then(|e| e.problem_for("slot_id"));
    let error_id = format!("{id}-error");
    let described = error_id.clone();
    let mut days: Vec<(NaiveDate, Vec<SlotView>)> = Vec::new();
    for slot in slots {
        match days.last_mut() {
            Some((day, list)) if *day == slot.day => list.push(slot),
            _ => days.push((slot.day, vec![slot])),
        }
    }
    let groups = days
        .into_iter()
        .map(|(day, list)| {
            view! {
                <optgroup label=move || day_label(day, lang.get())>
                    {list
                        .into_iter()
                        .map(|slot| {
                            let text = window(&slot);
                            view! { <option value=slot.id>{text}</option> }
                        })
                        .collect_view()}
                </optgroup>
            }
        })
        .collect_view();
    view! {
        <div class="field" class:field-invalid=move || problem().is_some()>
            <label for=id.clone()>{t!(i18n, appointment.slot)}</label>
            <select
                id=id
                name="slot_id"
                aria-required="true"
                aria-invalid=move || problem().is_some().then_some("true")
                aria-describedby=move || problem().is_some().then(|| described.clone())
                data-testid="slot-select"
            >
                <option value="">{t!(i18n, appointment.choose)}</option>
                {groups}
            </select>
            {move || {
                problem()
                    .map(|p| view! { <p class="field-error" id=error_id.clone()>{problem_message(p)}</p> })
            }}
        </div>
    }
}

/// Booking: a repair (or installation) at an address, or the installation of a chosen move.
#[component]
fn BookingForm(
    slots: Vec<SlotView>,
    moves: Vec<MoveChoice>,
    chosen: Option<MoveChoice>,
    home: (String, String, String),
    /// Makes a double submission book once (issue 9).
    booking_key: String,
) -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let changes = expect_context::<Changes>();
    let book = FormAction::<BookAppointment>::new();
    changes.settle_on(book, Notice::Booked);
    let error = shown_error(book);
    let note_problem = move || error.get().and_then(|e| e.problem_for("note"));
    let kind_problem = move || error.get().and_then(|e| e.problem_for("kind"));
    let (street, postal_code, city) = home;
    let where_part = match chosen.clone() {
        Some(choice) => view! {
            <input type="hidden" name="move_request" value=choice.id />
            <input type="hidden" name="kind" value="installation" />
            <p data-testid="booking-for-move">
                {t!(i18n, appointment.move_install)} " "
                <strong>{format!("{}, {} {}", choice.street, choice.postal_code, choice.city)}</strong>
                " (" {t!(i18n, appointment.move_wished)} " "
                {move || format::date(choice.wished_date, lang.get())} ")"
            </p>
        }
        .into_any(),
        None => view! {
            <input type="hidden" name="move_request" value="" />
            <fieldset class="choice" aria-describedby=move || kind_problem().map(|_| "book-kind-error")>
                <legend>{t!(i18n, appointment.kind)}</legend>
                <label>
                    <input type="radio" name="kind" value="repair" checked=true />
                    {t!(i18n, appointment.kind_repair)}
                </label>
                <label>
                    <input type="radio" name="kind" value="installation" />
                    {t!(i18n, appointment.kind_installation)}
                </label>
                {move || {
                    kind_problem()
                        .map(|p| view! { <p class="field-error" id="book-kind-error">{problem_message(p)}</p> })
                }}
            </fieldset>
            <Field id="book-street" name="street" autocomplete="street-address" value=street error>
                {t!(i18n, appointment.street)}
            </Field>
            <Field id="book-postal-code" name="postal_code" autocomplete="postal-code" value=postal_code error>
                {t!(i18n, appointment.postal_code)}
            </Field>
            <Field id="book-city" name="city" autocomplete="address-level2" value=city error>
                {t!(i18n, appointment.city)}
            </Field>
        }
        .into_any(),
    };
    let other_moves = moves
        .into_iter()
        .filter(|m| Some(m.id) != chosen.as_ref().map(|c| c.id))
        .map(|m| {
            let href = Signal::derive(move || {
                format!(
                    "{}?move={}",
                    paths::localized(lang.get(), paths::APPOINTMENT),
                    m.id
                )
            });
            view! {
                <li>
                    <a href=href data-testid="move-install-link">
                        {t!(i18n, appointment.move_install)} " "
                        {format!("{}, {} {}", m.street, m.postal_code, m.city)}
                    </a>
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="card stack" aria-labelledby="book-heading" data-testid="booking">
            <h2 id="book-heading">{t!(i18n, appointment.book_title)}</h2>
            <ul class="plain-list">{other_moves}</ul>
            <ActionForm action=book attr:class="stack" attr:novalidate=true>
                <FormAlert error />
                <input type="hidden" name="idempotency_key" value=booking_key />
                {where_part}
                <SlotSelect id="book-slot".to_string() slots error />
                <div class="field" class:field-invalid=move || note_problem().is_some()>
                    <label for="book-note">{t!(i18n, appointment.note)}</label>
                    <p class="field-hint" id="book-note-hint">
                        {t!(i18n, appointment.note_hint, max = move || NOTE_MAX_CHARS)}
                    </p>
                    <textarea
                        id="book-note"
                        name="note"
                        rows="3"
                        aria-describedby=move || {
                            if note_problem().is_some() {
                                "book-note-hint book-note-error"
                            } else {
                                "book-note-hint"
                            }
                        }
                        aria-invalid=move || note_problem().is_some().then_some("true")
                    ></textarea>
                    {move || {
                        note_problem()
                            .map(|p| view! { <p class="field-error" id="book-note-error">{problem_message(p)}</p> })
                    }}
                </div>
                <button type="submit" class="btn btn-primary" data-testid="book-submit">
                    {t!(i18n, appointment.book)}
                </button>
            </ActionForm>
        </section>
    }
}
