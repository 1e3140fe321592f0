//! English (`Locale.US`) names that Java's `DateFormatSymbols` prints and parses.

pub(crate) const MONTHS_LONG: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
pub(crate) const MONTHS_SHORT: [&str; 12] =
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
/// Indexed by Java day of week − 1 (Sunday first).
pub(crate) const WEEKDAYS_LONG: [&str; 7] =
    ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
/// Indexed by Java day of week − 1 (Sunday first).
pub(crate) const WEEKDAYS_SHORT: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
/// Indexed by era (0 = BC).
pub(crate) const ERAS: [&str; 2] = ["BC", "AD"];
/// Indexed by AM_PM (0 = AM).
pub(crate) const AM_PM: [&str; 2] = ["AM", "PM"];
