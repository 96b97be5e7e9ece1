//! Home's product use cases (H2–H4): list the lines a login may see with their meters and
//! option prices, switch an option with its prorated amount, request or withdraw a move. The
//! server functions authorise and map; the rules are `domain::products` and
//! `domain::billing::proration`, the SQL `repo::products` (issue 25).

mod list;
mod moves;
mod switch;

pub use list::list;
pub use moves::{NewMoveRequest, cancel_move, request_move};
pub use switch::{Switch, Switched, switch_option};
