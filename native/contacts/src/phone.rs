//! One phone cell to an E.164 number, with the default region for national numbers.
//!
//! Seed 003: the phone column accepts only digits and `( ) + - .`. Numbers are held as the
//! integer of their E.164 digits (at most 15, never a leading zero), which is what dedupe keys on.

use rlibphonenumber::{
    ParseError, PhoneNumber, PhoneNumberFormat, Region, ValidationError, PHONE_NUMBER_UTIL,
};

use crate::error::{ContactsError, RejectReason};
use crate::plans::PLAIN;

/// Parses an ISO 3166 region code ("FR", "us").
pub fn parse_region(code: &str) -> Result<Region, ContactsError> {
    let upper = code.trim().to_ascii_uppercase();
    Region::from_code(&upper)
        .ok()
        .filter(|&region| {
            PHONE_NUMBER_UTIL
                .get_country_code_for_region(region)
                .is_some()
        })
        .ok_or_else(|| ContactsError::UnknownRegion(code.to_owned()))
}

/// A rejected cell: the reason and a sentence for the operator.
pub type Refusal = (RejectReason, String);

fn allowed(b: u8) -> bool {
    matches!(b, b'0'..=b'9' | b'(' | b')' | b'+' | b'-' | b'.')
}

/// The default region, and the plain numbering plans (see `plans`) that let common numbers
/// skip the parser.
#[derive(Debug, Clone)]
pub struct Phones {
    region: Region,
    country_code: i32,
    /// The default region's national prefix and international prefix, if its plan is plain.
    national: Option<(&'static str, &'static str)>,
    /// Country code → national prefix of its main region, if that plan is plain.
    international: Vec<Option<&'static str>>,
    /// Country code → whether the library knows it.
    known: Vec<bool>,
}

impl Phones {
    pub fn new(region: Region) -> Self {
        let mut international = vec![None; 1000];
        let mut known = vec![false; 1000];
        for cc in PHONE_NUMBER_UTIL.get_supported_calling_codes() {
            if let Some(slot) = usize::try_from(cc).ok().and_then(|cc| known.get_mut(cc)) {
                *slot = true;
            }
        }
        let mut national = None;
        for &(id, cc, prefix, idd) in &PLAIN {
            let Ok(plain) = Region::from_code(id) else {
                continue;
            };
            if PHONE_NUMBER_UTIL.get_region_for_country_code(cc) == Some(plain) {
                international[cc as usize] = Some(prefix);
            }
            if plain == region && !prefix.is_empty() && !idd.is_empty() {
                national = Some((prefix, idd));
            }
        }
        Self {
            region,
            country_code: PHONE_NUMBER_UTIL
                .get_country_code_for_region(region)
                .unwrap_or(0),
            national,
            international,
            known,
        }
    }

    pub fn region(&self) -> Region {
        self.region
    }

    /// Normalizes one cell; the number is returned as the integer of its E.164 digits.
    pub fn e164(&self, cell: &str) -> Result<u64, Refusal> {
        let text = cell.trim();
        if let Some(number) = self.fast(text) {
            return Ok(number);
        }
        to_e164(text, self.region)
    }

    /// Numbers written "+<cc><nsn>" or "<national prefix><nsn>" (punctuation aside), checked by
    /// the library's validation without its parser. Only ever accepts: anything it does not
    /// accept goes through the full parser, which gives the exact reason.
    fn fast(&self, text: &str) -> Option<u64> {
        let mut bare = [0u8; 20];
        let mut len = 0;
        for b in text.bytes() {
            match b {
                b'0'..=b'9' if len < bare.len() => {
                    bare[len] = b;
                    len += 1;
                }
                b'(' | b')' | b'-' | b'.' => {}
                b'+' if len == 0 => {
                    bare[len] = b;
                    len += 1;
                }
                _ => return None,
            }
        }
        let bare = std::str::from_utf8(&bare[..len]).ok()?;
        let (country_code, nsn) = if let Some(international) = bare.strip_prefix('+') {
            // Country codes are prefix-free: the first known one is the one.
            let cc_of = |k: usize| international.get(..k).and_then(|d| d.parse::<usize>().ok());
            let k = (1..=3).find(|&k| cc_of(k).is_some_and(|cc| self.known[cc]))?;
            let cc = cc_of(k)? as i32;
            let nsn = &international[k..];
            let prefix = self.international[cc as usize]?;
            if !prefix.is_empty() && nsn.starts_with(prefix) {
                return None;
            }
            (cc, nsn)
        } else {
            let (prefix, idd) = self.national?;
            if bare.starts_with(idd) {
                return None;
            }
            (self.country_code, bare.strip_prefix(prefix)?)
        };
        if nsn.is_empty() || nsn.len() > 17 || nsn.starts_with('0') {
            return None;
        }
        let number = PhoneNumber {
            country_code,
            national_number: nsn.parse().ok()?,
            ..Default::default()
        };
        if number.is_valid() {
            e164_integer(&number)
        } else {
            None
        }
    }
}

/// Normalizes one cell with the full parser; the number is the integer of its E.164 digits.
pub fn to_e164(cell: &str, region: Region) -> Result<u64, Refusal> {
    let text = cell.trim();
    if text.is_empty() {
        return Err((RejectReason::PhoneMissing, "the phone cell is empty".into()));
    }
    if let Some(bad) = text.bytes().position(|b| !allowed(b)) {
        let c = text[bad..].chars().next().unwrap_or('?');
        let shown: String = text.chars().take(40).collect();
        return Err((
            RejectReason::PhoneCharacters,
            format!("{c:?} in {shown:?}: only digits and ( ) + - . are accepted"),
        ));
    }
    let digits = text.bytes().filter(u8::is_ascii_digit).count();
    if digits < 3 {
        return Err((
            RejectReason::PhoneTooShort,
            format!("{text:?} has {digits} digits"),
        ));
    }
    if digits > 20 {
        return Err((
            RejectReason::PhoneTooLong,
            format!("{text:?} has {digits} digits"),
        ));
    }
    // Punctuation out first: the same number to the parser, less work for its patterns.
    let mut bare = [0u8; 64];
    let mut len = 0;
    for b in text
        .bytes()
        .filter(|&b| b.is_ascii_digit() || b == b'+')
        .take(bare.len())
    {
        bare[len] = b;
        len += 1;
    }
    let bare = std::str::from_utf8(&bare[..len]).unwrap_or(text);
    let number = match PhoneNumber::parse(bare, Some(region)) {
        Ok(number) => number,
        Err(ParseError::TooShortNsn | ParseError::TooShortAfterIdd) => {
            return Err((
                RejectReason::PhoneTooShort,
                format!("{text:?} is too short"),
            ))
        }
        Err(ParseError::TooLongNsn) => {
            return Err((RejectReason::PhoneTooLong, format!("{text:?} is too long")))
        }
        Err(ParseError::InvalidCountryCode) => {
            return Err((
                RejectReason::PhoneInvalid,
                format!("{text:?} has no valid country code"),
            ))
        }
        Err(e) => return Err((RejectReason::PhoneInvalid, format!("{text:?}: {e}"))),
    };
    if !number.is_valid() {
        let reason = match number.is_possible_with_reason() {
            Err(ValidationError::TooShort) => RejectReason::PhoneTooShort,
            Err(ValidationError::TooLong) => RejectReason::PhoneTooLong,
            _ => RejectReason::PhoneInvalid,
        };
        let what = match reason {
            RejectReason::PhoneTooShort => "is too short for",
            RejectReason::PhoneTooLong => "is too long for",
            _ => "is not a valid number of",
        };
        let country = number.get_region_code().map_or_else(
            || format!("country code +{}", number.country_code),
            |r| r.as_region_str().to_string(),
        );
        return Err((reason, format!("{text:?} {what} {country}")));
    }
    e164_integer(&number).ok_or_else(|| {
        (
            RejectReason::PhoneInvalid,
            format!("{text:?} has no E.164 form"),
        )
    })
}

/// The E.164 digits of a parsed number as an integer: country code, then the national
/// significant number with its leading zeros (Italy) — what E.164 formatting writes, without
/// building the string.
fn e164_integer(number: &PhoneNumber) -> Option<u64> {
    let national = number.national_number;
    let country = u64::try_from(number.country_code).ok().filter(|&c| c > 0)?;
    if national == 0 {
        return e164_digits(&number.format_as(PhoneNumberFormat::E164));
    }
    let zeros = if number.italian_leading_zero() {
        number.number_of_leading_zeros().clamp(0, 10) as u32
    } else {
        0
    };
    let national_len = national.ilog10() + 1 + zeros;
    let total = country.ilog10() + 1 + national_len;
    (total <= 15).then(|| country * 10u64.pow(national_len) + national)
}

/// "+33612345678" → 33612345678; None unless a `+` and 1 to 15 digits, the first not 0.
pub fn e164_digits(text: &str) -> Option<u64> {
    let digits = text.strip_prefix('+')?;
    if digits.is_empty()
        || digits.len() > 15
        || digits.starts_with('0')
        || !digits.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    digits.parse().ok()
}

/// Writes "+digits" for a number held as its E.164 integer (without `fmt`: once per row).
pub fn write_e164(mut number: u64, out: &mut String) {
    let mut digits = [b'0'; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (number % 10) as u8;
        number /= 10;
        if number == 0 {
            break;
        }
    }
    out.push('+');
    out.extend(digits[at..].iter().map(|&d| char::from(d)));
}

/// Whether a sample cell looks like a phone number (for detecting the column and the header):
/// lenient on spaces, since a column of "06 12 34 56 78" is still the phone column.
pub fn looks_like_phone(cell: &str) -> bool {
    let text = cell.trim();
    let mut digits = 0;
    for b in text.bytes() {
        match b {
            b'0'..=b'9' => digits += 1,
            b'(' | b')' | b'+' | b'-' | b'.' | b' ' | b'/' => {}
            _ => return false,
        }
    }
    (6..=20).contains(&digits)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fr(text: &str) -> Result<String, RejectReason> {
        let phones = Phones::new(parse_region("FR").unwrap());
        let slow = to_e164(text, phones.region())
            .map(|n| format!("+{n}"))
            .map_err(|(r, _)| r);
        let fast = phones
            .e164(text)
            .map(|n| format!("+{n}"))
            .map_err(|(r, _)| r);
        assert_eq!(fast, slow, "{text:?}");
        fast
    }

    /// The fast path agrees with the full parser on numbers of every shape.
    #[test]
    fn fast_path_agrees_with_the_parser() {
        let mut accepted = 0;
        for code in [
            "FR", "US", "GB", "DE", "IT", "BE", "CH", "ES", "MA", "RU", "AR", "MX", "BR", "IN",
            "JP",
        ] {
            let phones = Phones::new(parse_region(code).unwrap());
            for i in 0..1500u64 {
                let x = i.wrapping_mul(2_654_435_761) % 10_000_000_000;
                let cc =
                    [1, 7, 33, 39, 44, 49, 212, 351, 54, 52, 91, 81, 800, 999][(i % 14) as usize];
                for text in [
                    format!("0{}", x % 1_000_000_000),
                    format!("+{cc}{x}"),
                    format!("+{cc}{}", x / 10),
                    format!("00{cc}{x}"),
                    format!("{x}"),
                    format!("1{x}"),
                    format!("+{cc}0{}", x / 10),
                ] {
                    let slow = to_e164(&text, phones.region()).ok();
                    let fast = phones.fast(&text);
                    if fast.is_some() {
                        accepted += 1;
                        assert_eq!(fast, slow, "{code} {text}");
                    }
                }
            }
        }
        assert!(accepted > 1000, "the fast path is used ({accepted})");
    }

    #[test]
    fn national_and_international_numbers() {
        assert_eq!(fr("06 12 34 56 78"), Err(RejectReason::PhoneCharacters));
        assert_eq!(fr(" 06.12.34.56.78 ").unwrap(), "+33612345678");
        assert_eq!(fr("(01)-42-68-53-00").unwrap(), "+33142685300");
        assert_eq!(fr("+1 (212) 736-5000"), Err(RejectReason::PhoneCharacters));
        assert_eq!(fr("+1(212)736-5000").unwrap(), "+12127365000");
        assert_eq!(fr("+442079460958").unwrap(), "+442079460958");
        assert_eq!(fr("0033612345678").unwrap(), "+33612345678");
        assert_eq!(fr("+390612345678").unwrap(), "+390612345678");
        assert_eq!(fr("+39 0612345678"), Err(RejectReason::PhoneCharacters));
        assert_eq!(fr("+39.06.1234.5678").unwrap(), "+390612345678");
    }

    #[test]
    fn reasons() {
        assert_eq!(fr(""), Err(RejectReason::PhoneMissing));
        assert_eq!(fr("   "), Err(RejectReason::PhoneMissing));
        assert_eq!(fr("06123abc"), Err(RejectReason::PhoneCharacters));
        assert_eq!(fr("06\u{0}12345678"), Err(RejectReason::PhoneCharacters));
        assert_eq!(fr("0612"), Err(RejectReason::PhoneTooShort));
        assert_eq!(fr("12"), Err(RejectReason::PhoneTooShort));
        assert_eq!(fr("061234567890123"), Err(RejectReason::PhoneTooLong));
        assert_eq!(fr("1".repeat(40).as_str()), Err(RejectReason::PhoneTooLong));
        assert_eq!(fr("+999123456789"), Err(RejectReason::PhoneInvalid));
        assert_eq!(fr("0012345678"), Err(RejectReason::PhoneInvalid));
        assert_eq!(fr("+-()."), Err(RejectReason::PhoneTooShort));
    }

    #[test]
    fn plain_plans_match_the_library() {
        for (id, cc, _, _) in PLAIN {
            let region = Region::from_code(id).unwrap();
            assert_eq!(
                PHONE_NUMBER_UTIL.get_country_code_for_region(region),
                Some(cc),
                "{id}"
            );
        }
    }

    #[test]
    fn regions() {
        assert!(parse_region("us").is_ok());
        assert_eq!(parse_region("XX").unwrap_err().slug(), "unknown-region");
        assert_eq!(parse_region("").unwrap_err().slug(), "unknown-region");
        assert_eq!(parse_region("FRA").unwrap_err().slug(), "unknown-region");
    }

    #[test]
    fn e164_round_trip() {
        assert_eq!(e164_digits("+33612345678"), Some(33_612_345_678));
        assert_eq!(e164_digits("33612345678"), None);
        assert_eq!(e164_digits("+0612345678"), None);
        assert_eq!(e164_digits("+1234567890123456"), None);
        for n in [1, 9, 10, 33_612_345_678, 999_999_999_999_999, u64::MAX] {
            let mut s = String::new();
            write_e164(n, &mut s);
            assert_eq!(s, format!("+{n}"));
        }
    }

    #[test]
    fn phone_like_cells() {
        assert!(looks_like_phone("06 12 34 56 78"));
        assert!(looks_like_phone("+33612345678"));
        assert!(!looks_like_phone("Téléphone"));
        assert!(!looks_like_phone("12"));
    }
}
