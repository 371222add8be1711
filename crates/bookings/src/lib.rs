//! The booking engine behind every daily activity of the family services — the canteen
//! first, then after-school care and leisure centres.
//!
//! Its rules are declarative, typed values evaluated by pure functions with the clock
//! passed in: when a day opens (`calendar`), until when it is booked or cancelled at the
//! normal price (`deadlines`), and what each booking, late booking, late cancellation or
//! unbooked presence costs, with how it was computed (`pricing`). Storage and pages build
//! on these.

pub mod calendar;
pub mod deadlines;
pub mod pricing;
