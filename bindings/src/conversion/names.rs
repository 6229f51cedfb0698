//! Names Python passes for dimensions, periods, windows and indicators.

use ccengine_events::{Dimension, Indicator, Period, Window};

use crate::errors::NativeResult;

pub fn dimension(name: &str) -> NativeResult<Dimension> {
    Ok(Dimension::parse(name)?)
}

pub fn period(name: &str) -> NativeResult<Period> {
    Ok(Period::parse(name)?)
}

pub fn window(name: &str) -> NativeResult<Window> {
    Ok(Window::parse(name)?)
}

pub fn indicator(name: &str) -> NativeResult<Indicator> {
    Indicator::parse(name).ok_or_else(|| {
        ccengine_events::EventsError::InvalidArgument(format!("unknown indicator {name:?}")).into()
    })
}
