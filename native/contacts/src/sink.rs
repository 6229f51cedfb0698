//! Landing chunks in SQLite without Python in the loop: one `BEGIN IMMEDIATE` transaction per
//! chunk holds its accepted rows, its rejections and the import's counts, so a crash keeps whole
//! chunks only. The statements come from the caller (the store owns the schema); the sink binds
//! each row's values straight from the chunk.

use std::path::Path;
use std::time::Duration;

use rusqlite::{params, Connection, TransactionBehavior};

use crate::error::{ContactsError, RejectReason};
use crate::reader::{Chunk, Rejection};
use crate::zones::ZoneTable;

/// The statements a sink runs, and the parameters each receives in order.
#[derive(Debug, Clone)]
pub struct SinkSql {
    /// campaign, list, phone (E.164 digits), zone (text or null), line, fields (JSON).
    pub insert_contact: String,
    /// campaign, phone, contact: records that the campaign holds the number; must change no row
    /// when it already does (`INSERT OR IGNORE`). Run in phone order after the chunk's contacts.
    pub claim_phone: String,
    /// contact: takes back a contact whose number the campaign turned out to hold already (it
    /// arrived after the reader was opened); the row is reported `duplicate-in-campaign`.
    pub drop_contact: String,
    /// import, line, reason slug, detail.
    pub insert_rejection: String,
    /// rows added, rows rejected, import.
    pub count: String,
    /// campaign, zone: records a zone the campaign's contacts are in.
    pub insert_zone: String,
}

/// What one chunk changed.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Landed {
    pub added: u64,
    /// Rows refused by the database as numbers already in the campaign.
    pub late: Vec<Rejection>,
}

/// Which chunk goes where.
#[derive(Debug, Clone, Copy)]
pub struct Target {
    pub import: i64,
    pub campaign: i64,
    pub list: i64,
}

pub struct ChunkSink {
    db: Connection,
    sql: SinkSql,
}

impl ChunkSink {
    /// Opens its own connection to the store's database file (WAL, as the store sets it up);
    /// a writer holding the lock is waited for up to `busy_timeout`.
    pub fn open(path: &Path, sql: SinkSql, busy_timeout: Duration) -> Result<Self, ContactsError> {
        let db = Connection::open(path)?;
        db.busy_timeout(busy_timeout)?;
        db.pragma_update(None, "synchronous", "NORMAL")?;
        db.pragma_update(None, "cache_size", -65536)?;
        // As the store's own connection: no zeroing of freed space (Debian's SECURE_DELETE).
        db.pragma_update(None, "secure_delete", "OFF")?;
        // Checkpoint after 256 MiB of log rather than 16: the phone index's pages are rewritten by
        // every chunk, and each checkpoint copies them again (-20% on a 1M-row import). The
        // importer checkpoints once at the end (`Store.checkpoint`).
        db.pragma_update(None, "wal_autocheckpoint", 16384)?;
        Ok(Self { db, sql })
    }

    /// Lands one chunk in one transaction.
    pub fn land(
        &mut self,
        chunk: &Chunk,
        zones: &ZoneTable,
        to: Target,
    ) -> Result<Landed, ContactsError> {
        let tx = self
            .db
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut landed = Landed::default();
        {
            // Contacts go in file order (their ids are the dial order); the campaign's numbers
            // then go in sorted order, so consecutive inserts into that table's B-tree follow
            // one path down instead of a random one (a quarter of the landing time on 1M rows).
            let mut insert = tx.prepare(&self.sql.insert_contact)?;
            // The campaign and list are the same for every row: bound once. The row's values
            // are bound by position (`raw_*`: no per-row parameter slice), then the statement
            // runs and resets.
            insert.raw_bind_parameter(1, to.campaign)?;
            insert.raw_bind_parameter(2, to.list)?;
            let mut numbers = Vec::with_capacity(chunk.len());
            for (index, row) in chunk.rows().enumerate() {
                let number =
                    i64::try_from(row.number).expect("E.164 numbers have at most 15 digits");
                insert.raw_bind_parameter(3, number)?;
                insert.raw_bind_parameter(4, row.zone.map(|z| zones.name(z)))?;
                insert.raw_bind_parameter(5, i64::try_from(row.line).unwrap_or(i64::MAX))?;
                insert.raw_bind_parameter(6, row.fields)?;
                insert.raw_execute()?;
                numbers.push((number, tx.last_insert_rowid(), index));
            }
            numbers.sort_unstable();
            let mut claim = tx.prepare(&self.sql.claim_phone)?;
            let mut drop = tx.prepare(&self.sql.drop_contact)?;
            let mut kept = vec![true; numbers.len()];
            for &(number, contact, index) in &numbers {
                if claim.execute(params![to.campaign, number, contact])? == 0 {
                    drop.execute(params![contact])?;
                    kept[index] = false;
                }
            }
            let mut zone_seen = vec![false; zones.names().len()];
            for (row, kept) in chunk.rows().zip(kept) {
                if !kept {
                    landed.late.push(Rejection {
                        line: row.line,
                        reason: RejectReason::DuplicateInCampaign,
                        detail: format!("{} is already in the campaign", row.e164),
                    });
                    continue;
                }
                landed.added += 1;
                if let Some(z) = row.zone {
                    zone_seen[z as usize] = true;
                }
            }
            let mut reject = tx.prepare(&self.sql.insert_rejection)?;
            for r in chunk.rejected.iter().chain(&landed.late) {
                let line = i64::try_from(r.line).unwrap_or(i64::MAX);
                reject.execute(params![to.import, line, r.reason.slug(), r.detail])?;
            }
            let mut zone = tx.prepare(&self.sql.insert_zone)?;
            for (id, _) in zone_seen.iter().enumerate().filter(|(_, seen)| **seen) {
                zone.execute(params![to.campaign, zones.names()[id]])?;
            }
            let rejected = (chunk.rejected.len() + landed.late.len()) as i64;
            tx.execute(
                &self.sql.count,
                params![landed.added as i64, rejected, to.import],
            )?;
        }
        tx.commit()?;
        Ok(landed)
    }
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;
    use std::sync::Arc;

    use super::*;
    use crate::reader::{ContactReader, Options};

    const SCHEMA: &str = "
        CREATE TABLE contact (id INTEGER PRIMARY KEY, campaign_id INT, list_id INT, phone INT, zone TEXT,
                              line INT, fields TEXT);
        CREATE TABLE campaign_phone (campaign_id INT, phone INT, contact_id INT,
                                     PRIMARY KEY (campaign_id, phone)) WITHOUT ROWID;
        CREATE TABLE rejection (import_id INT, line INT, reason TEXT, detail TEXT);
        CREATE TABLE import (id INTEGER PRIMARY KEY, accepted INT DEFAULT 0, rejected INT DEFAULT 0);
        CREATE TABLE zone (campaign_id INT, zone TEXT, PRIMARY KEY (campaign_id, zone));
        INSERT INTO import (id) VALUES (1);";

    fn sql() -> SinkSql {
        SinkSql {
            insert_contact:
                "INSERT INTO contact (campaign_id, list_id, phone, zone, line, fields) \
                             VALUES (?, ?, ?, ?, ?, ?)"
                    .into(),
            claim_phone: "INSERT OR IGNORE INTO campaign_phone VALUES (?, ?, ?)".into(),
            drop_contact: "DELETE FROM contact WHERE id = ?".into(),
            insert_rejection: "INSERT INTO rejection VALUES (?, ?, ?, ?)".into(),
            count:
                "UPDATE import SET accepted = accepted + ?, rejected = rejected + ? WHERE id = ?"
                    .into(),
            insert_zone: "INSERT OR IGNORE INTO zone VALUES (?, ?)".into(),
        }
    }

    #[test]
    fn a_chunk_lands_with_its_rejections_and_counts() {
        let dir = std::env::temp_dir().join(format!("ccengine-sink-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("c.db");
        let _ = std::fs::remove_file(&path);
        Connection::open(&path)
            .unwrap()
            .execute_batch(SCHEMA)
            .unwrap();
        // Someone else added +33612345679 after the reader was opened.
        Connection::open(&path)
            .unwrap()
            .execute(
                "INSERT INTO campaign_phone VALUES (7, 33612345679, 100)",
                [],
            )
            .unwrap();
        let zones = Arc::new(ZoneTable::new([("33", "Europe/Paris")]).unwrap());
        let file = "phone;name\n0612345678;A\n0612345679;B\nxx;C\n";
        let options = Options::new("FR");
        let mut reader = ContactReader::open(
            Cursor::new(file),
            options,
            Arc::clone(&zones),
            Vec::<String>::new(),
            Vec::<String>::new(),
        )
        .unwrap();
        let mut chunk = Chunk::default();
        reader.next_chunk(100, &mut chunk).unwrap();
        let mut sink = ChunkSink::open(&path, sql(), Duration::from_secs(1)).unwrap();
        let landed = sink
            .land(
                &chunk,
                &zones,
                Target {
                    import: 1,
                    campaign: 7,
                    list: 9,
                },
            )
            .unwrap();
        assert_eq!(landed.added, 1);
        assert_eq!(landed.late.len(), 1);
        assert_eq!(
            (landed.late[0].line, landed.late[0].reason),
            (3, RejectReason::DuplicateInCampaign)
        );
        let db = Connection::open(&path).unwrap();
        let counts: (i64, i64) = db
            .query_row(
                "SELECT accepted, rejected FROM import WHERE id = 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!(counts, (1, 2));
        let contacts: i64 = db
            .query_row("SELECT count(*) FROM contact", [], |r| r.get(0))
            .unwrap();
        let numbers: i64 = db
            .query_row("SELECT count(*) FROM campaign_phone", [], |r| r.get(0))
            .unwrap();
        assert_eq!((contacts, numbers), (1, 2)); // the late duplicate's contact was taken back
        let row: (i64, i64, String, i64, String) = db
            .query_row(
                "SELECT list_id, phone, zone, line, fields FROM contact WHERE line = 2",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .unwrap();
        assert_eq!(
            row,
            (
                9,
                33612345678,
                "Europe/Paris".into(),
                2,
                r#"{"name":"A"}"#.into()
            )
        );
        let zones: i64 = db
            .query_row("SELECT count(*) FROM zone", [], |r| r.get(0))
            .unwrap();
        assert_eq!(zones, 1);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
