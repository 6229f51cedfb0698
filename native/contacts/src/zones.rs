//! Time zone of a number, by the longest prefix of its E.164 digits (libphonenumber's timezone
//! map, supplied by the caller: "1212" → "America/New_York", "33" → "Europe/Paris").

use rustc_hash::FxHashMap;

use crate::error::ContactsError;

/// Index of a zone string in its table.
pub type ZoneId = u32;

#[derive(Debug, Default, Clone)]
pub struct ZoneTable {
    names: Vec<String>,
    /// Prefix (as an integer: prefixes start with a country code, never with 0) → zone.
    prefixes: FxHashMap<u64, ZoneId>,
    /// Prefix lengths present, longest first.
    lengths: Vec<u32>,
}

impl ZoneTable {
    pub fn new<P, Z>(entries: impl IntoIterator<Item = (P, Z)>) -> Result<Self, ContactsError>
    where
        P: AsRef<str>,
        Z: AsRef<str>,
    {
        let mut table = Self::default();
        let mut ids: FxHashMap<String, ZoneId> = FxHashMap::default();
        for (prefix, zone) in entries {
            let (prefix, zone) = (prefix.as_ref().trim_start_matches('+'), zone.as_ref());
            let ok = !prefix.is_empty()
                && prefix.len() <= 15
                && !prefix.starts_with('0')
                && prefix.bytes().all(|b| b.is_ascii_digit());
            if !ok || zone.is_empty() {
                return Err(ContactsError::InvalidZoneTable(format!(
                    "{prefix:?} -> {zone:?}"
                )));
            }
            let next = table.names.len() as ZoneId;
            let id = *ids.entry(zone.to_owned()).or_insert_with(|| {
                table.names.push(zone.to_owned());
                next
            });
            table
                .prefixes
                .insert(prefix.parse().expect("checked digits"), id);
            let len = prefix.len() as u32;
            if !table.lengths.contains(&len) {
                table.lengths.push(len);
            }
        }
        table.lengths.sort_unstable_by(|a, b| b.cmp(a));
        Ok(table)
    }

    /// Zone of a number given as the integer of its E.164 digits.
    pub fn lookup(&self, number: u64) -> Option<ZoneId> {
        if number == 0 {
            return None;
        }
        let digits = number.ilog10() + 1;
        self.lengths
            .iter()
            .filter(|&&len| len <= digits)
            .find_map(|&len| {
                self.prefixes
                    .get(&(number / 10u64.pow(digits - len)))
                    .copied()
            })
    }

    pub fn name(&self, id: ZoneId) -> &str {
        &self.names[id as usize]
    }

    /// Every distinct zone string, indexed by [`ZoneId`].
    pub fn names(&self) -> &[String] {
        &self.names
    }

    pub fn is_empty(&self) -> bool {
        self.prefixes.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn longest_prefix_wins() {
        let table = ZoneTable::new([
            (
                "1",
                "America/New_York&America/Chicago&America/Denver&America/Los_Angeles",
            ),
            ("1212", "America/New_York"),
            ("1213", "America/Los_Angeles"),
            ("33", "Europe/Paris"),
            ("+44", "Europe/London"),
        ])
        .unwrap();
        let zone = |n: u64| table.lookup(n).map(|id| table.name(id));
        assert_eq!(zone(12_127_365_000), Some("America/New_York"));
        assert_eq!(zone(12_135_550_100), Some("America/Los_Angeles"));
        assert!(zone(14_155_550_100).unwrap().contains('&'));
        assert_eq!(zone(33_612_345_678), Some("Europe/Paris"));
        assert_eq!(zone(442_079_460_958), Some("Europe/London"));
        assert_eq!(zone(81_312_345_678), None);
        assert_eq!(zone(0), None);
        assert_eq!(table.names().len(), 5);
    }

    #[test]
    fn bad_entries_are_refused() {
        for (prefix, zone) in [
            ("", "Europe/Paris"),
            ("0", "x"),
            ("33a", "x"),
            ("33", ""),
            ("1234567890123456", "x"),
        ] {
            assert_eq!(
                ZoneTable::new([(prefix, zone)]).unwrap_err().slug(),
                "invalid-zone-table"
            );
        }
    }
}
