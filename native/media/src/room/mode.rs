//! Who hears whom: the roles of a room's legs, the supervision modes, and the pure rule that
//! says whether one leg hears another (DESIGN.md's telephony table). Everything else in a room
//! follows from `hears`.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    Customer,
    Agent,
    Supervisor,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Customer, Role::Agent, Role::Supervisor];

    pub fn name(self) -> &'static str {
        match self {
            Self::Customer => "customer",
            Self::Agent => "agent",
            Self::Supervisor => "supervisor",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.name() == name)
    }
}

/// A supervisor's mode. Customers and agents have none: what they hear follows from the
/// supervisors present.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    /// Hears customer and agent, is heard by no one.
    Listen,
    /// As `Listen`, and follows the agent's session leg onto the next call.
    PersistentListen,
    /// Coaches the agent: heard by the agent only.
    Whisper,
    /// Joins the conversation: everyone hears everyone.
    Barge,
    /// Replaces the agent: customer and supervisor talk, the agent hears nothing.
    Takeover,
    /// Replaces the agent, who stays on muted and hears both.
    TakeoverAgentListening,
}

impl Mode {
    pub const ALL: [Mode; 6] = [
        Mode::Listen,
        Mode::PersistentListen,
        Mode::Whisper,
        Mode::Barge,
        Mode::Takeover,
        Mode::TakeoverAgentListening,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::Listen => "listen",
            Self::PersistentListen => "persistent-listen",
            Self::Whisper => "whisper",
            Self::Barge => "barge",
            Self::Takeover => "takeover",
            Self::TakeoverAgentListening => "takeover-agent-listening",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.name() == name)
    }

    fn is_takeover(self) -> bool {
        matches!(self, Self::Takeover | Self::TakeoverAgentListening)
    }

    /// Whether the supervisor's voice enters the call at all.
    fn speaks(self) -> bool {
        !matches!(self, Self::Listen | Self::PersistentListen)
    }
}

/// A leg as the mixing rule sees it: its role, and its mode if it is a supervisor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Member {
    pub role: Role,
    pub mode: Mode,
}

/// Whether `listener` hears `source` (two different legs), given every member of the room:
/// supervisors' modes act on everyone. The room keeps a leg from hearing itself.
pub fn hears(listener: Member, source: Member, members: &[Member]) -> bool {
    let supervisors = || members.iter().filter(|m| m.role == Role::Supervisor);
    let takeover = supervisors().any(|m| m.mode.is_takeover());
    let agent_released = supervisors().any(|m| m.mode == Mode::Takeover);
    match (listener.role, source.role) {
        (Role::Customer, Role::Customer) => false,
        (Role::Customer, Role::Agent) => !takeover,
        (Role::Customer, Role::Supervisor) => {
            matches!(source.mode, Mode::Barge) || source.mode.is_takeover()
        }
        (Role::Agent, Role::Customer) => !agent_released,
        (Role::Agent, Role::Agent) => false,
        (Role::Agent, Role::Supervisor) => {
            !agent_released
                && matches!(
                    source.mode,
                    Mode::Whisper | Mode::Barge | Mode::TakeoverAgentListening
                )
        }
        (Role::Supervisor, Role::Customer) => true,
        (Role::Supervisor, Role::Agent) => !takeover,
        // Another supervisor is heard when their voice enters the call.
        (Role::Supervisor, Role::Supervisor) => source.mode.speaks(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CUSTOMER: Member = Member {
        role: Role::Customer,
        mode: Mode::Listen,
    };
    const AGENT: Member = Member {
        role: Role::Agent,
        mode: Mode::Listen,
    };

    fn sup(mode: Mode) -> Member {
        Member {
            role: Role::Supervisor,
            mode,
        }
    }

    /// (customer hears, agent hears, supervisor hears) as sets of roles: DESIGN.md's table.
    fn table(mode: Mode) -> [&'static [Role]; 3] {
        use Role::*;
        match mode {
            Mode::Listen | Mode::PersistentListen => [&[Agent], &[Customer], &[Customer, Agent]],
            Mode::Whisper => [&[Agent], &[Customer, Supervisor], &[Customer, Agent]],
            Mode::Barge => [
                &[Agent, Supervisor],
                &[Customer, Supervisor],
                &[Customer, Agent],
            ],
            Mode::Takeover => [&[Supervisor], &[], &[Customer]],
            Mode::TakeoverAgentListening => [&[Supervisor], &[Customer, Supervisor], &[Customer]],
        }
    }

    #[test]
    fn every_mode_matches_the_design_table_for_every_listener_and_source() {
        for mode in Mode::ALL {
            let members = [CUSTOMER, AGENT, sup(mode)];
            for (l, (listener, expected)) in members.iter().zip(table(mode)).enumerate() {
                for (_, source) in members.iter().enumerate().filter(|&(s, _)| s != l) {
                    let source = *source;
                    let want = expected.contains(&source.role);
                    assert_eq!(
                        hears(*listener, source, &members),
                        want,
                        "{mode:?}: {:?} hearing {:?}",
                        listener.role,
                        source.role
                    );
                }
            }
        }
    }

    #[test]
    fn without_a_supervisor_customer_and_agent_hear_each_other() {
        let members = [CUSTOMER, AGENT];
        assert!(hears(CUSTOMER, AGENT, &members));
        assert!(hears(AGENT, CUSTOMER, &members));
    }

    #[test]
    fn the_customer_never_hears_a_whisper_whoever_else_is_there() {
        for other in Mode::ALL {
            let members = [CUSTOMER, AGENT, sup(Mode::Whisper), sup(other)];
            assert!(
                !hears(CUSTOMER, sup(Mode::Whisper), &members),
                "with a second supervisor in {other:?}"
            );
            assert!(
                hears(sup(other), sup(Mode::Whisper), &members),
                "{other:?} hears the coach"
            );
        }
    }

    #[test]
    fn a_takeover_by_one_supervisor_silences_the_agent_for_everyone() {
        let members = [CUSTOMER, AGENT, sup(Mode::Takeover), sup(Mode::Listen)];
        assert!(!hears(CUSTOMER, AGENT, &members));
        assert!(!hears(sup(Mode::Listen), AGENT, &members));
        assert!(!hears(AGENT, CUSTOMER, &members));
        assert!(hears(sup(Mode::Listen), sup(Mode::Takeover), &members));
    }

    #[test]
    fn names_round_trip() {
        for m in Mode::ALL {
            assert_eq!(Mode::from_name(m.name()), Some(m));
        }
        for r in Role::ALL {
            assert_eq!(Role::from_name(r.name()), Some(r));
        }
        assert_eq!(Mode::from_name("shout"), None);
    }
}
