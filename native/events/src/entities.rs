//! Dimensions an event is counted under, and the flat index space of their entities.
//!
//! Every entity of every dimension (the center, each tenant, each agent …) gets one slot in a
//! single index space, so a bucket of the aggregator is one contiguous array of counters.

use crate::error::{EventsError, Result};
use crate::event::{Event, NONE};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dimension {
    Center,
    Tenant,
    Agent,
    Team,
    Campaign,
    List,
    Queue,
    Channel,
}

impl Dimension {
    pub const ALL: [Dimension; 8] = [
        Self::Center,
        Self::Tenant,
        Self::Agent,
        Self::Team,
        Self::Campaign,
        Self::List,
        Self::Queue,
        Self::Channel,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::Center => "center",
            Self::Tenant => "tenant",
            Self::Agent => "agent",
            Self::Team => "team",
            Self::Campaign => "campaign",
            Self::List => "list",
            Self::Queue => "queue",
            Self::Channel => "channel",
        }
    }

    pub fn parse(name: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|d| d.name() == name)
            .ok_or_else(|| EventsError::InvalidArgument(format!("unknown dimension {name:?}")))
    }

    fn slot(self) -> usize {
        self as usize
    }
}

/// How many ids each dimension holds (the center always holds one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Sizes {
    pub tenant: u32,
    pub agent: u32,
    pub team: u32,
    pub campaign: u32,
    pub list: u32,
    pub queue: u32,
    pub channel: u32,
}

impl Sizes {
    pub fn get(&self, dim: Dimension) -> u32 {
        match dim {
            Dimension::Center => 1,
            Dimension::Tenant => self.tenant,
            Dimension::Agent => self.agent,
            Dimension::Team => self.team,
            Dimension::Campaign => self.campaign,
            Dimension::List => self.list,
            Dimension::Queue => self.queue,
            Dimension::Channel => self.channel,
        }
    }

    pub fn set(&mut self, dim: Dimension, size: u32) -> Result<()> {
        let slot = match dim {
            Dimension::Center => {
                return Err(EventsError::InvalidArgument(
                    "the center always has one entity".into(),
                ))
            }
            Dimension::Tenant => &mut self.tenant,
            Dimension::Agent => &mut self.agent,
            Dimension::Team => &mut self.team,
            Dimension::Campaign => &mut self.campaign,
            Dimension::List => &mut self.list,
            Dimension::Queue => &mut self.queue,
            Dimension::Channel => &mut self.channel,
        };
        if size == NONE {
            return Err(EventsError::InvalidArgument("size too large".into()));
        }
        *slot = size;
        Ok(())
    }
}

/// Maps (dimension, id) to a flat entity index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntityIndex {
    sizes: Sizes,
    offsets: [u32; 8],
    count: u32,
}

impl EntityIndex {
    pub fn new(sizes: Sizes) -> Self {
        let mut offsets = [0u32; 8];
        let mut next = 0u32;
        for dim in Dimension::ALL {
            offsets[dim.slot()] = next;
            next += sizes.get(dim);
        }
        Self {
            sizes,
            offsets,
            count: next,
        }
    }

    pub fn sizes(&self) -> Sizes {
        self.sizes
    }

    /// Number of entities over all dimensions.
    pub fn count(&self) -> usize {
        self.count as usize
    }

    #[inline]
    pub fn offset(&self, dim: Dimension) -> u32 {
        self.offsets[dim.slot()]
    }

    /// The flat index of `id` in `dim`, checked.
    pub fn entity(&self, dim: Dimension, id: u32) -> Result<u32> {
        let size = self.sizes.get(dim);
        if id < size {
            Ok(self.offsets[dim.slot()] + id)
        } else {
            Err(EventsError::UnknownId {
                dimension: dim.name(),
                id,
                size,
            })
        }
    }

    /// The entities an event is counted under (the center first). Ids must have been checked.
    #[inline]
    pub fn of_event(&self, e: &Event, out: &mut EntityList) {
        // In the order of `Dimension::ALL` after the center, so id `k` has offset `k + 1`.
        let ids = [
            e.tenant, e.agent, e.team, e.campaign, e.list, e.queue, e.channel,
        ];
        out.items[0] = 0;
        out.len = 1;
        // Every candidate is written and kept only if named: no branch on the event's shape,
        // which changes from one event to the next.
        for (k, id) in ids.into_iter().enumerate() {
            out.items[out.len] = self.offsets[k + 1].wrapping_add(id);
            out.len += usize::from(id != NONE);
        }
    }

    /// The entities an agent's time is credited to: the center, its tenant, itself, its team
    /// and its campaign (the ids the record names).
    #[inline]
    pub fn of_agent(&self, agent: u32, tenant: u32, team: u32, campaign: u32) -> EntityList {
        let mut out = EntityList {
            items: [0; 8],
            len: 1,
        };
        let ids = [
            (Dimension::Tenant, tenant),
            (Dimension::Agent, agent),
            (Dimension::Team, team),
            (Dimension::Campaign, campaign),
        ];
        for (dim, id) in ids {
            out.items[out.len] = self.offsets[dim.slot()].wrapping_add(id);
            out.len += usize::from(id != NONE);
        }
        out
    }

    /// Whether every id of `e` is `NONE` or below its dimension's size, without saying which
    /// is not (`check_ids` does).
    #[inline]
    pub fn knows_ids(&self, e: &Event) -> bool {
        let s = &self.sizes;
        // `NONE + 1` wraps to 0, which is below every size; any other id is known iff id + 1 <= size.
        let known = |id: u32, size: u32| id.wrapping_add(1) <= size;
        known(e.tenant, s.tenant)
            & known(e.agent, s.agent)
            & known(e.team, s.team)
            & known(e.campaign, s.campaign)
            & known(e.list, s.list)
            & known(e.queue, s.queue)
            & known(e.channel, s.channel)
    }

    /// Checks every id of an event against the sizes.
    pub fn check_ids(&self, e: &Event) -> Result<()> {
        let ids = [
            (Dimension::Tenant, e.tenant),
            (Dimension::Agent, e.agent),
            (Dimension::Team, e.team),
            (Dimension::Campaign, e.campaign),
            (Dimension::List, e.list),
            (Dimension::Queue, e.queue),
            (Dimension::Channel, e.channel),
        ];
        for (dim, id) in ids {
            if id != NONE {
                self.entity(dim, id)?;
            }
        }
        Ok(())
    }

    /// For each old entity index, its index under `other` (both layouts must hold it).
    pub fn remap_to(&self, other: &EntityIndex) -> Vec<u32> {
        let mut map = Vec::with_capacity(self.count());
        for dim in Dimension::ALL {
            let keep = self.sizes.get(dim).min(other.sizes.get(dim));
            for id in 0..self.sizes.get(dim) {
                map.push(if id < keep {
                    other.offset(dim) + id
                } else {
                    NONE
                });
            }
        }
        map
    }
}

/// The up-to-eight entities one event is counted under, without allocating.
#[derive(Debug, Clone, Copy, Default)]
pub struct EntityList {
    items: [u32; 8],
    len: usize,
}

impl EntityList {
    #[inline]
    pub fn as_slice(&self) -> &[u32] {
        &self.items[..self.len]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sizes() -> Sizes {
        Sizes {
            tenant: 2,
            agent: 3,
            team: 1,
            campaign: 2,
            list: 2,
            queue: 1,
            channel: 1,
        }
    }

    #[test]
    fn entities_are_laid_out_dimension_after_dimension() {
        let index = EntityIndex::new(sizes());
        assert_eq!(index.count(), 13);
        assert_eq!(index.entity(Dimension::Center, 0).unwrap(), 0);
        assert_eq!(index.entity(Dimension::Tenant, 1).unwrap(), 2);
        assert_eq!(index.entity(Dimension::Agent, 0).unwrap(), 3);
        assert_eq!(index.entity(Dimension::Channel, 0).unwrap(), 12);
        let err = index.entity(Dimension::Agent, 3).unwrap_err();
        assert_eq!(err.slug(), "unknown-id");
    }

    #[test]
    fn an_event_is_counted_under_each_dimension_it_names() {
        let index = EntityIndex::new(sizes());
        let mut e = Event::new(0, 0);
        e.agent = 2;
        e.campaign = 1;
        let mut list = EntityList::default();
        index.of_event(&e, &mut list);
        assert_eq!(list.as_slice(), &[0, 5, 8]);
    }

    #[test]
    fn remap_keeps_ids_that_still_exist() {
        let old = EntityIndex::new(sizes());
        let mut bigger = sizes();
        bigger.agent = 5;
        let new = EntityIndex::new(bigger);
        let map = old.remap_to(&new);
        assert_eq!(
            map[old.entity(Dimension::Team, 0).unwrap() as usize],
            new.entity(Dimension::Team, 0).unwrap()
        );
        assert_eq!(
            map[old.entity(Dimension::Agent, 2).unwrap() as usize],
            new.entity(Dimension::Agent, 2).unwrap()
        );
    }
}
