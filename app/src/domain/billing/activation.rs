//! B2 Activation: the first connection of the equipment, or automatically 30 days after
//! shipment when it has not been connected by then.

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

/// Days after shipment at which an unconnected subscription activates itself (B2).
pub const AUTO_ACTIVATION_DAYS: u64 = 30;

/// Why activation cannot be computed from these dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ActivationError {
    /// The equipment cannot be connected before it was shipped.
    ConnectedBeforeShipment,
}

/// B2: the activation date: the first connection if it happened within 30 days of shipment,
/// else shipment + 30 days. A later connection does not move an automatic activation.
pub fn activation_date(
    shipped: NaiveDate,
    first_connection: Option<NaiveDate>,
) -> Result<NaiveDate, ActivationError> {
    let automatic = shipped + Days::new(AUTO_ACTIVATION_DAYS);
    match first_connection {
        Some(connected) if connected < shipped => Err(ActivationError::ConnectedBeforeShipment),
        Some(connected) => Ok(connected.min(automatic)),
        None => Ok(automatic),
    }
}

/// B2 as of `today`: the activation date if it has happened by `today`, else `None`
/// (a connection reported for a future day is not yet a connection).
pub fn activated_as_of(
    shipped: NaiveDate,
    first_connection: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<Option<NaiveDate>, ActivationError> {
    let connection = first_connection.filter(|c| *c <= today);
    let activation = activation_date(shipped, connection)?;
    Ok((activation <= today).then_some(activation))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::d;

    #[test]
    fn seed_examples() {
        assert_eq!(activation_date(d(2024, 5, 10), None), Ok(d(2024, 6, 9)));
        assert_eq!(
            activation_date(d(2024, 5, 10), Some(d(2024, 5, 20))),
            Ok(d(2024, 5, 20))
        );
    }

    #[test]
    fn boundaries() {
        // Connected on day 30 exactly: the same day either way.
        assert_eq!(
            activation_date(d(2024, 5, 10), Some(d(2024, 6, 9))),
            Ok(d(2024, 6, 9))
        );
        // Connected after the automatic activation: it stays automatic.
        assert_eq!(
            activation_date(d(2024, 5, 10), Some(d(2024, 6, 20))),
            Ok(d(2024, 6, 9))
        );
        // Connected on the shipment day.
        assert_eq!(
            activation_date(d(2024, 5, 10), Some(d(2024, 5, 10))),
            Ok(d(2024, 5, 10))
        );
        assert_eq!(
            activation_date(d(2024, 5, 10), Some(d(2024, 5, 9))),
            Err(ActivationError::ConnectedBeforeShipment)
        );
    }

    #[test]
    fn as_of_today() {
        let shipped = d(2024, 5, 10);
        assert_eq!(activated_as_of(shipped, None, d(2024, 6, 8)), Ok(None));
        assert_eq!(
            activated_as_of(shipped, None, d(2024, 6, 9)),
            Ok(Some(d(2024, 6, 9)))
        );
        assert_eq!(
            activated_as_of(shipped, Some(d(2024, 5, 20)), d(2024, 5, 19)),
            Ok(None)
        );
        assert_eq!(
            activated_as_of(shipped, Some(d(2024, 5, 20)), d(2024, 5, 20)),
            Ok(Some(d(2024, 5, 20)))
        );
    }
}
