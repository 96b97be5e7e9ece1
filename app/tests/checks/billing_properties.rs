//! Property tests of the billing and linking rules (BILLING.md "Invariants", L2, L4–L8).

use app::domain::{
    account::ContractStatus,
    billing::{
        cycles::{cycle, cycle_containing},
        preview::{
            BYTES_PER_GB, DailyUsage, DataAllowance, DatedPrice, RecurringFee, SubscriptionState,
            invoice_after_cycle, preview,
        },
        proration::{PriceChange, prorate},
        upgrade::quote,
        vat::breakdown,
    },
    calendar::DateRange,
    linking::{
        ContractFacts, CustomerFacts, LinkFacts, Segment, Step, decide_holder_link,
        decide_make_me_holder, decide_user_link,
    },
    money::{Currency, Money},
    rights::{Capability, Link, Rights},
};
use chrono::{Days, NaiveDate};
use proptest::prelude::*;
use rust_decimal::Decimal;

fn date(offset: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2000, 1, 1).expect("date") + Days::new(u64::from(offset))
}

/// Prices from 0.00 to 9 999.99.
fn price() -> impl Strategy<Value = Decimal> {
    (0i64..1_000_000).prop_map(|cents| Decimal::new(cents, 2))
}

fn cent() -> Decimal {
    Decimal::new(1, 2)
}

proptest! {
    /// B1: every day after activation lies in exactly one cycle of 28..=31 days, and cycles
    /// follow each other without gap or overlap.
    #[test]
    fn cycles_tile_time(activation in 0u32..36_500, after in 0u32..4_000) {
        let activation = date(activation);
        let day = activation + Days::new(u64::from(after));
        let (n, range) = cycle_containing(activation, day).expect("a cycle");
        prop_assert!(range.contains(day));
        prop_assert!((28..=31).contains(&range.days()));
        let next = cycle(activation, n + 1).expect("next");
        prop_assert_eq!(next.start(), range.end().succ_opt().expect("succ"));
        if n > 0 {
            let previous = cycle(activation, n - 1).expect("previous");
            prop_assert_eq!(previous.end().succ_opt().expect("succ"), range.start());
            prop_assert!(!previous.contains(day));
        }
        prop_assert!(!next.contains(day));
    }

    /// X2: upgrading on the first day charges P_new and credits P_old in full; on the last
    /// day one day's worth of each.
    #[test]
    fn upgrade_at_term_boundaries(start in 0u32..10_000, len in 27u32..800, old in price(), new in price()) {
        let term = DateRange::new(date(start), date(start + len)).expect("term");
        let first = quote(term, term.start(), old, new, Currency::EUR).expect("quote");
        prop_assert_eq!(first.charge.amount(), Money::round(new, Currency::EUR).amount());
        prop_assert_eq!(first.credit.amount(), Money::round(old, Currency::EUR).amount());
        let last = quote(term, term.end(), old, new, Currency::EUR).expect("quote");
        let days = Decimal::from(term.days());
        prop_assert_eq!(last.days_remaining, 1);
        prop_assert_eq!(last.charge.amount(), Money::round(new / days, Currency::EUR).amount());
        prop_assert_eq!(last.credit.amount(), Money::round(old / days, Currency::EUR).amount());
        prop_assert_eq!(last.net.amount(), last.charge.amount() - last.credit.amount());
    }

    /// X2: two successive upgrades A→B (day c1) and B→C (day c2 ≥ c1) never cost less than
    /// the direct upgrade A→C on c2 by more than a cent per extra line; on the same day they
    /// cost exactly the same.
    #[test]
    fn no_arbitrage_by_splitting(
        start in 0u32..10_000, len in 27u32..800,
        prices in proptest::collection::vec(price(), 3),
        d1 in 0u32..800, d2 in 0u32..800,
    ) {
        let mut p = prices.clone();
        p.sort();
        let (a, b, c) = (p[0], p[1], p[2]);
        let term = DateRange::new(date(start), date(start + len)).expect("term");
        let (d1, d2) = (d1.min(d2) % (len + 1), d1.max(d2) % (len + 1));
        let (c1, c2) = (date(start + d1.min(d2)), date(start + d1.max(d2)));
        let eur = Currency::EUR;
        let step1 = quote(term, c1, a, b, eur).expect("quote");
        let step2 = quote(term, c2, b, c, eur).expect("quote");
        let direct = quote(term, c2, a, c, eur).expect("quote");
        let split = step1.net.amount() + step2.net.amount();
        prop_assert!(split >= direct.net.amount() - cent() * Decimal::TWO,
            "split {split} < direct {}", direct.net.amount());
        if c1 == c2 {
            prop_assert_eq!(split, direct.net.amount());
        }
    }

    /// H3: a proration has the sign of the price change and never exceeds it.
    #[test]
    fn prorations_are_bounded(start in 0u32..10_000, into in 0u32..31, old in price(), new in price()) {
        let cycle = cycle(date(start), 0).expect("cycle");
        let day = date(start + into.min(u32::try_from(cycle.days() - 1).expect("days")));
        let p = prorate(cycle, day, old, new, Currency::EUR).expect("prorate").amount();
        let diff = new - old;
        prop_assert!(p.abs() <= diff.abs());
        prop_assert!(p.is_zero() || p.is_sign_negative() == diff.is_sign_negative());
    }

    /// B5: preview lines add up to the total, VAT adds up per rate, the preview of the last
    /// day equals the invoice issued the day after, and the preview changes from one day to
    /// the next only through that day's usage.
    #[test]
    fn preview_invariants(
        start in 0u32..10_000,
        fee in price(), option in price(), old_plan in price(), new_plan in price(),
        change_at in 0u32..28, today_at in 0u32..27,
        usage in proptest::collection::vec((0u32..31, 0u64..400 * BYTES_PER_GB), 0..12),
        allowance_gb in 0u64..1_000, per_gb in price(), vat in prop_oneof![Just(0i64), Just(19), Just(21)],
    ) {
        let activation = date(start);
        let cycle = cycle(activation, 0).expect("cycle");
        let vat = Decimal::from(vat);
        let state = SubscriptionState {
            cycle,
            currency: Currency::EUR,
            managed: false,
            fees: vec![
                RecurringFee { label: "plan".into(), prices: vec![DatedPrice { effective_from: activation, monthly: fee }], vat_rate: vat },
                RecurringFee { label: "option".into(), prices: vec![DatedPrice { effective_from: activation, monthly: option }], vat_rate: vat },
            ],
            changes: vec![PriceChange { label: "change".into(), day: date(start + change_at), old_price: old_plan, new_price: new_plan, vat_rate: vat }],
            data: Some(DataAllowance { label: "data".into(), allowance_bytes: allowance_gb * BYTES_PER_GB, price_per_gb: per_gb, vat_rate: vat }),
            usage: usage.iter().map(|(d, b)| DailyUsage { day: date(start + d), bytes: *b }).collect(),
        };
        let today = date(start + today_at);
        let p = preview(&state, today).expect("preview");
        let sum: Decimal = p.lines.iter().map(|l| l.amount.amount()).sum();
        prop_assert_eq!(sum, p.total.amount());
        for line in &p.vat {
            prop_assert_eq!(line.vat.amount() + line.net.amount(), line.gross.amount());
        }
        let gross: Decimal = p.vat.iter().map(|l| l.gross.amount()).sum();
        prop_assert_eq!(gross, p.total.amount());

        let last = preview(&state, cycle.end()).expect("preview");
        prop_assert_eq!(&last, &invoice_after_cycle(&state).expect("invoice"));

        let tomorrow = today.succ_opt().expect("succ");
        if cycle.contains(tomorrow) && !state.usage.iter().any(|u| u.day == tomorrow) {
            prop_assert_eq!(&p, &preview(&state, tomorrow).expect("preview"));
        }
        let breakdown_again = breakdown(p.lines.iter().map(|l| (&l.amount, l.vat_rate)), Currency::EUR);
        prop_assert_eq!(breakdown_again, p.vat);
    }

    /// L2: whatever its links, a login never sees invoices or payments of a customer number it
    /// does not hold, and user links give exactly the read-only line capabilities.
    #[test]
    fn user_links_never_reach_invoices_or_payments(
        holder in proptest::option::of(1i64..5),
        users in proptest::collection::vec(1i64..20, 0..6),
        contract in 1i64..20, customer in 1i64..5,
    ) {
        let mut links: Vec<Link> = users.iter().map(|c| Link::User { contract_id: *c }).collect();
        if let Some(customer_id) = holder {
            links.push(Link::Holder { customer_id });
        }
        let rights = Rights::from_links(&links);
        let holds = holder == Some(customer);
        for capability in [Capability::ViewInvoices, Capability::ManagePayments, Capability::ViewPersonalData] {
            prop_assert_eq!(rights.allows(capability, contract, customer), holds);
        }
        if !holds && users.contains(&contract) {
            for capability in Capability::ALL {
                prop_assert_eq!(rights.allows(capability, contract, customer), capability.for_user());
            }
        }
    }

    /// L4–L8: a refusal has no steps (it changes nothing); applying an allowed plan keeps the
    /// invariants: at most one holder link, no business contract or business-history number
    /// held, no business contract used.
    #[test]
    fn linking_decisions_keep_the_invariants(
        customers in proptest::collection::vec((any::<bool>(), any::<bool>(), proptest::collection::vec((any::<bool>(), 0u8..3), 1..4)), 1..5),
        initial in proptest::collection::vec((any::<bool>(), 0usize..5, 0usize..4), 0..3),
        actions in proptest::collection::vec((0u8..3, 0usize..5, 0usize..4), 1..8),
    ) {
        // Build the world: customers 1..=n with contracts 10*i + j.
        let world: Vec<CustomerFacts> = customers.iter().enumerate().map(|(i, (business, history, contracts))| {
            let id = i as i64 + 1;
            CustomerFacts {
                customer_id: id,
                segment: if *business { Segment::Business } else { Segment::Private },
                has_business_history: *business || *history,
                contracts: contracts.iter().enumerate().map(|(j, (biz, status))| ContractFacts {
                    contract_id: id * 10 + j as i64,
                    customer_id: id,
                    segment: if *business || *biz { Segment::Business } else { Segment::Private },
                    status: [ContractStatus::Active, ContractStatus::Cancelled, ContractStatus::TakenOver][*status as usize],
                    phone_number: Some("+49".into()),
                    tariff_name: Some("T".into()),
                }).collect(),
            }
        }).collect();
        let pick_customer = |i: usize| &world[i % world.len()];
        let pick_contract = |i: usize, j: usize| {
            let c = pick_customer(i);
            &c.contracts[j % c.contracts.len()]
        };
        // The login's links, as a model the plans are applied to.
        let mut links: Vec<LinkFacts> = Vec::new();
        let mut next_id = 1;
        let mut apply = |links: &mut Vec<LinkFacts>, steps: &[Step]| {
            for step in steps {
                match *step {
                    Step::DeleteLink { link_id } => links.retain(|l| l.link_id() != link_id),
                    Step::CreateHolder { customer_id } => {
                        let customer = world.iter().find(|c| c.customer_id == customer_id).expect("customer").clone();
                        links.push(LinkFacts::Holder { link_id: next_id, customer });
                        next_id += 1;
                    }
                    Step::CreateUser { contract_id } => {
                        let contract = world.iter().flat_map(|c| &c.contracts).find(|c| c.contract_id == contract_id).expect("contract").clone();
                        links.push(LinkFacts::User { link_id: next_id, contract });
                        next_id += 1;
                    }
                }
            }
        };
        for (holder, i, j) in initial {
            let decision = if holder { decide_holder_link(&links, pick_customer(i)) } else { decide_user_link(&links, pick_contract(i, j)) };
            if let Ok(plan) = decision { apply(&mut links, &plan.steps); }
        }
        for (kind, i, j) in actions {
            let before = links.clone();
            let decision = match kind {
                0 => decide_holder_link(&links, pick_customer(i)),
                1 => decide_user_link(&links, pick_contract(i, j)),
                _ => match links.iter().find(|l| matches!(l, LinkFacts::User { .. })) {
                    Some(LinkFacts::User { link_id, contract }) => {
                        let customer = world.iter().find(|c| c.customer_id == contract.customer_id).expect("customer");
                        decide_make_me_holder(&links, *link_id, customer)
                    }
                    _ => continue,
                },
            };
            match decision {
                Err(_) => prop_assert_eq!(&links, &before),
                Ok(plan) => apply(&mut links, &plan.steps),
            }
            let holders: Vec<&CustomerFacts> = links.iter().filter_map(|l| match l {
                LinkFacts::Holder { customer, .. } => Some(customer),
                LinkFacts::User { .. } => None,
            }).collect();
            prop_assert!(holders.len() <= 1);
            for customer in holders {
                prop_assert_eq!(customer.segment, Segment::Private);
                prop_assert!(!customer.has_business_history);
            }
            for link in &links {
                if let LinkFacts::User { contract, .. } = link {
                    prop_assert_eq!(contract.segment, Segment::Private);
                }
            }
        }
    }
}
