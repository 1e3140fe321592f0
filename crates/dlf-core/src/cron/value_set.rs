//! The values one cron field allows, as Quartz keeps them.
//!
//! Quartz stores each field as a `TreeSet<Integer>` and asks it two questions: "the smallest
//! value ≥ x" (`tailSet(x).first()`) and "the smallest value" (`first()`). It also stores two
//! marker values in the same sets: 99 (`ALL_SPEC`, written next to the values of `*`) and 98
//! (`NO_SPEC`, the `?`). The markers are real members: `99` typed as a second *is* `*`, and a
//! lookup past the last real value finds 99 and moves the calendar leniently. So this is a
//! plain sorted set of `i32`, markers included, not a bitmap of the field's range.

/// Quartz's `ALL_SPEC_INT`: the marker of `*`.
pub(super) const ALL_SPEC: i32 = 99;
/// Quartz's `NO_SPEC_INT`: the marker of `?`.
pub(super) const NO_SPEC: i32 = 98;

/// A sorted set of field values (a `Vec`, since sets are small and lookups are binary searches).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct ValueSet {
    sorted: Vec<i32>,
}

impl ValueSet {
    pub(super) fn insert(&mut self, value: i32) {
        if let Err(at) = self.sorted.binary_search(&value) {
            self.sorted.insert(at, value);
        }
    }

    pub(super) fn contains(&self, value: i32) -> bool {
        self.sorted.binary_search(&value).is_ok()
    }

    /// `first()`; `None` where Quartz would throw `NoSuchElementException`.
    pub(super) fn first(&self) -> Option<i32> {
        self.sorted.first().copied()
    }

    /// `last()`; `None` where Quartz would throw.
    pub(super) fn last(&self) -> Option<i32> {
        self.sorted.last().copied()
    }

    /// `tailSet(from).first()`: the smallest member ≥ `from`.
    pub(super) fn first_at_or_after(&self, from: i64) -> Option<i32> {
        let at = self.sorted.partition_point(|&v| i64::from(v) < from);
        self.sorted.get(at).copied()
    }

    /// The members that are real values (markers left out).
    pub(super) fn values(&self) -> impl Iterator<Item = i32> + '_ {
        self.sorted.iter().copied().filter(|&v| v != ALL_SPEC && v != NO_SPEC)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups() {
        let mut set = ValueSet::default();
        for v in [30, 0, ALL_SPEC, 30] {
            set.insert(v);
        }
        assert_eq!(set.first(), Some(0));
        assert_eq!(set.last(), Some(ALL_SPEC));
        assert_eq!(set.first_at_or_after(1), Some(30));
        assert_eq!(set.first_at_or_after(31), Some(ALL_SPEC));
        assert_eq!(set.first_at_or_after(100), None);
        assert_eq!(set.values().collect::<Vec<_>>(), [0, 30]);
        assert!(ValueSet::default().first().is_none());
    }
}
