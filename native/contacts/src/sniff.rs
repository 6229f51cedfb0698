//! What a file looks like, decided from its first rows: the delimiter, whether the first row is
//! a header, and which column holds the phone numbers.

use rlibphonenumber::Region;

use crate::error::ContactsError;
use crate::phone::{looks_like_phone, to_e164};

/// Delimiters a file may use, in order of preference on a tie.
pub const DELIMITERS: [u8; 3] = [b',', b';', b'\t'];

/// How many records of the sample are looked at.
pub const SAMPLE_ROWS: usize = 200;

/// The delimiter whose count outside quotes is the same non-zero number on most records.
pub fn delimiter(text: &[u8], complete: bool) -> u8 {
    let mut counts: Vec<[usize; 3]> = Vec::new();
    let mut current = [0usize; 3];
    let mut quoted = false;
    let mut pending = false;
    for &b in text {
        match b {
            b'"' => quoted = !quoted,
            b'\n' | b'\r' if !quoted => {
                if pending {
                    counts.push(current);
                    current = [0; 3];
                    pending = false;
                    if counts.len() == SAMPLE_ROWS {
                        break;
                    }
                }
                continue;
            }
            _ if !quoted => {
                if let Some(k) = DELIMITERS.iter().position(|&d| d == b) {
                    current[k] += 1;
                }
            }
            _ => {}
        }
        pending = true;
    }
    if pending && complete && counts.len() < SAMPLE_ROWS {
        counts.push(current);
    }
    let mut best: Option<(usize, usize, u8)> = None; // (records agreeing, count, delimiter)
    for (k, &d) in DELIMITERS.iter().enumerate() {
        let mut tally: Vec<(usize, usize)> = Vec::new(); // (count, records)
        for c in counts.iter().map(|c| c[k]).filter(|&c| c > 0) {
            match tally.iter_mut().find(|(n, _)| *n == c) {
                Some((_, seen)) => *seen += 1,
                None => tally.push((c, 1)),
            }
        }
        if let Some(&(count, agree)) = tally.iter().max_by_key(|&&(n, seen)| (seen, n)) {
            if best.is_none_or(|(a, n, _)| (agree, count) > (a, n)) {
                best = Some((agree, count, d));
            }
        }
    }
    best.map_or(b',', |(_, _, d)| d)
}

/// The delimiter named by a first line "sep=X" (as Excel writes), if any.
pub fn sep_line(text: &[u8]) -> Option<u8> {
    match text {
        [b's' | b'S', b'e' | b'E', b'p' | b'P', b'=', d, rest @ ..]
            if DELIMITERS.contains(d) || *d == b'|' =>
        {
            matches!(rest.first(), None | Some(b'\r' | b'\n')).then_some(*d)
        }
        _ => None,
    }
}

/// Lower case, accents folded, only letters and digits kept: "N° Téléphone" → "ntelephone".
pub fn normalize_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars().flat_map(char::to_lowercase) {
        let folded = match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => 'a',
            'ç' => 'c',
            'è' | 'é' | 'ê' | 'ë' => 'e',
            'ì' | 'í' | 'î' | 'ï' => 'i',
            'ñ' => 'n',
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' => 'o',
            'ù' | 'ú' | 'û' | 'ü' => 'u',
            'ý' | 'ÿ' => 'y',
            c => c,
        };
        if folded.is_ascii_alphanumeric() {
            out.push(folded);
        }
    }
    out
}

const PHONE_NAMES: [&str; 24] = [
    "phone",
    "telephone",
    "tel",
    "mobile",
    "portable",
    "numero",
    "number",
    "msisdn",
    "gsm",
    "cell",
    "cellphone",
    "mobilephone",
    "phonenumber",
    "telephonenumber",
    "numerodetelephone",
    "numtel",
    "notel",
    "ntel",
    "telefono",
    "telefon",
    "celular",
    "cellulaire",
    "contactnumber",
    "mobilenumber",
];
const PHONE_PARTS: [&str; 6] = [
    "phone", "telephon", "mobile", "msisdn", "portable", "telefon",
];

/// 0 if a header name is a phone column's name, 1 if it contains one, None otherwise.
fn phone_name_rank(name: &str) -> Option<u8> {
    let n = normalize_name(name);
    let stem = n.trim_end_matches(|c: char| c.is_ascii_digit());
    if PHONE_NAMES.contains(&stem) {
        Some(0)
    } else if PHONE_PARTS.iter().any(|p| n.contains(p))
        || n.starts_with("tel")
        || n.starts_with("gsm")
    {
        Some(1)
    } else {
        None
    }
}

/// The column a header row names as the phone's (best rank, then leftmost).
fn by_name(first: &[String]) -> Option<usize> {
    let ranked = first
        .iter()
        .enumerate()
        .filter(|(_, c)| !looks_like_phone(c));
    ranked
        .filter_map(|(i, c)| phone_name_rank(c).map(|r| (r, i)))
        .min()
        .map(|(_, i)| i)
}

/// The column whose cells look like phone numbers in at least half of the rows, preferring
/// the one with most numbers valid in the region (a customer id column also looks numeric).
fn by_data(rows: &[Vec<String>], region: Region) -> Option<usize> {
    let width = rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut best: Option<(usize, usize)> = None; // (valid, column)
    for col in 0..width {
        let cells = rows.iter().filter_map(|r| r.get(col));
        let like: Vec<&String> = cells.filter(|c| looks_like_phone(c)).collect();
        if like.is_empty() || like.len() * 2 < rows.len() {
            continue;
        }
        let valid = like
            .iter()
            .filter(|c| to_e164(&c.replace(' ', ""), region).is_ok())
            .count();
        if best.is_none_or(|(v, _)| valid > v) {
            best = Some((valid, col));
        }
    }
    best.map(|(_, col)| col)
}

/// Which column holds the phone: by name or 1-based position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PhoneColumn {
    Name(String),
    Index(usize),
}

/// What the first rows say about the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    pub header: bool,
    /// 0-based.
    pub phone: usize,
}

/// Decides header and phone column from the sample rows (at least one). `complete` says the
/// rows are the whole file.
pub fn layout(
    rows: &[Vec<String>],
    complete: bool,
    header: Option<bool>,
    phone_column: Option<&PhoneColumn>,
    region: Region,
) -> Result<Layout, ContactsError> {
    let first = &rows[0];
    let width = rows.iter().map(Vec::len).max().unwrap_or(0);
    let data = &rows[1..];
    let not_found = |why: String| ContactsError::PhoneColumnNotFound(why);
    let detect_header = |phone: usize| {
        let named = by_name(first) == Some(phone);
        let first_like = first.get(phone).is_some_and(|c| looks_like_phone(c));
        let data_like = data
            .iter()
            .filter(|r| r.get(phone).is_some_and(|c| looks_like_phone(c)))
            .count();
        named || (!first_like && !data.is_empty() && data_like * 2 >= data.len())
    };
    // A column "name" that is a number and names no column is its 1-based position.
    let by_position = |name: &str| {
        let index = name.trim().parse().unwrap_or(0);
        layout(
            rows,
            complete,
            header,
            Some(&PhoneColumn::Index(index)),
            region,
        )
    };
    let layout = match phone_column {
        Some(PhoneColumn::Name(name))
            if header != Some(false) || name.parse::<usize>().is_err() =>
        {
            let wanted = normalize_name(name);
            if header == Some(false) {
                return Err(not_found(format!(
                    "a column name ({name:?}) needs a header row"
                )));
            }
            match first
                .iter()
                .position(|c| normalize_name(c) == wanted && !wanted.is_empty())
            {
                Some(phone) => Layout {
                    header: true,
                    phone,
                },
                None if name.trim().parse::<usize>().is_ok() => return by_position(name),
                None => {
                    return Err(not_found(format!(
                        "no column named {name:?} in the first row {first:?}"
                    )))
                }
            }
        }
        Some(PhoneColumn::Name(name)) => return by_position(name),
        Some(&PhoneColumn::Index(index)) => {
            if index == 0 || index > width {
                return Err(not_found(format!(
                    "column {index} does not exist (the file has {width})"
                )));
            }
            let phone = index - 1;
            Layout {
                header: header.unwrap_or_else(|| detect_header(phone)),
                phone,
            }
        }
        None => {
            let named = by_name(first);
            let header = header.unwrap_or_else(|| match named {
                Some(_) => true,
                None => by_data(data, region).is_some_and(detect_header),
            });
            let phone = if header {
                named.or_else(|| by_data(data, region))
            } else {
                by_data(rows, region)
            };
            match phone {
                    Some(phone) => Layout { header, phone },
                    None if rows.len() == 1
                        && complete
                        && !first.iter().any(|c| looks_like_phone(c)) =>
                    {
                        return Err(ContactsError::HeaderOnly)
                    }
                    None => return Err(not_found(
                        "no column is named like a phone column nor holds phone numbers; name it or give its position"
                            .into(),
                    )),
                }
        }
    };
    if layout.header && rows.len() == 1 && complete {
        return Err(ContactsError::HeaderOnly);
    }
    Ok(layout)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::phone::parse_region;

    fn rows(text: &str, delimiter: char) -> Vec<Vec<String>> {
        text.lines()
            .map(|l| l.split(delimiter).map(str::to_owned).collect())
            .collect()
    }

    fn fr() -> Region {
        parse_region("FR").unwrap()
    }

    #[test]
    fn sniffs_delimiters() {
        assert_eq!(delimiter(b"a,b,c\n1,2,3\n", true), b',');
        assert_eq!(
            delimiter(
                b"nom;tel\n\"Dupont, Jean\";0612345678\n\"A, B\";0712345678\n",
                true
            ),
            b';'
        );
        assert_eq!(delimiter(b"a\tb\n1,5\t2\n3\t4,5\n", true), b'\t');
        assert_eq!(delimiter(b"0612345678\n0712345678\n", true), b',');
        assert_eq!(delimiter(b"", true), b',');
        // Quoted newlines do not split a record.
        assert_eq!(delimiter(b"a;b\n\"x\ny,z\";1\n2;3\n", true), b';');
    }

    #[test]
    fn sep_lines() {
        assert_eq!(sep_line(b"sep=;\r\na;b"), Some(b';'));
        assert_eq!(sep_line(b"SEP=\t\n"), Some(b'\t'));
        assert_eq!(sep_line(b"sep=;x\n"), None);
        assert_eq!(sep_line(b"sep"), None);
    }

    #[test]
    fn names() {
        assert_eq!(normalize_name("N° Téléphone"), "ntelephone");
        assert_eq!(phone_name_rank("Téléphone"), Some(0));
        assert_eq!(phone_name_rank("TEL"), Some(0));
        assert_eq!(phone_name_rank("Numéro"), Some(0));
        assert_eq!(phone_name_rank("phone2"), Some(0));
        assert_eq!(phone_name_rank("Tél. portable"), Some(1));
        assert_eq!(phone_name_rank("hotel"), None);
        assert_eq!(phone_name_rank("nom"), None);
    }

    #[test]
    fn header_and_column_detected() {
        let r = rows("nom;telephone\nAnn;0612345678\nBob;0712345678", ';');
        assert_eq!(
            layout(&r, true, None, None, fr()).unwrap(),
            Layout {
                header: true,
                phone: 1
            }
        );
        // A header the names do not reveal, but the data does.
        let r = rows(
            "a,b,c\n12345678,Ann,0612345678\n22345678,Bob,0712345678",
            ',',
        );
        assert_eq!(
            layout(&r, true, None, None, fr()).unwrap(),
            Layout {
                header: true,
                phone: 2
            }
        );
        let r = rows("Ann,0612345678\nBob,0712345678", ',');
        assert_eq!(
            layout(&r, true, None, None, fr()).unwrap(),
            Layout {
                header: false,
                phone: 1
            }
        );
        assert_eq!(
            layout(&r, true, Some(true), None, fr()).unwrap(),
            Layout {
                header: true,
                phone: 1
            }
        );
    }

    #[test]
    fn given_columns() {
        let r = rows("Nom,Mobile,Fixe\nAnn,0612345678,0142685300", ',');
        let by = |c: PhoneColumn| layout(&r, true, None, Some(&c), fr());
        assert_eq!(
            by(PhoneColumn::Name("fixe".into())).unwrap(),
            Layout {
                header: true,
                phone: 2
            }
        );
        assert_eq!(
            by(PhoneColumn::Index(3)).unwrap(),
            Layout {
                header: true,
                phone: 2
            }
        );
        assert_eq!(
            by(PhoneColumn::Name("3".into())).unwrap(),
            Layout {
                header: true,
                phone: 2
            }
        );
        assert_eq!(
            by(PhoneColumn::Index(4)).unwrap_err().slug(),
            "phone-column-not-found"
        );
        assert_eq!(
            by(PhoneColumn::Name("fax".into())).unwrap_err().slug(),
            "phone-column-not-found"
        );
    }

    #[test]
    fn refusals() {
        let r = rows("nom,telephone", ',');
        assert_eq!(
            layout(&r, true, None, None, fr()).unwrap_err().slug(),
            "file-header-only"
        );
        let r = rows("nom,ville", ',');
        assert_eq!(
            layout(&r, true, None, None, fr()).unwrap_err().slug(),
            "file-header-only"
        );
        let r = rows("nom,ville\nAnn,Paris\nBob,Lyon", ',');
        assert_eq!(
            layout(&r, true, None, None, fr()).unwrap_err().slug(),
            "phone-column-not-found"
        );
    }
}
