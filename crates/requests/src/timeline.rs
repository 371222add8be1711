//! One person's timeline for agents: every request they filed or that was recorded for them,
//! whatever the channel (a visit at the counter, a call, a letter, an e-mail, online), with
//! what happened since and the messages exchanged, newest first, in one view.
//!
//! Agents see every contact the person had with the commune, but the content of a request
//! (its messages, its link) only where they may handle it: a person's social-service file is
//! not for the roads department to read.

use jiff::Timestamp;

use crate::model::Channel;

/// A request as the timeline shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestItem {
    pub id: String,
    pub number: String,
    pub procedure: String,
    pub service: String,
    pub status: String,
    pub channel: Channel,
    /// When the person contacted the commune (filed online, or recorded by an agent).
    pub at: Timestamp,
    /// The agent who recorded it, for a visit, a call, a letter or an e-mail.
    pub recorded_by: Option<String>,
    /// The agent looking may open it.
    pub open_to_viewer: bool,
}

/// Something that happened to one of the requests afterwards.
#[derive(Debug, Clone, PartialEq)]
pub enum Happening {
    /// A public step (status change, document added): what the person was told.
    Step { text: String, actor: String },
    Message {
        from_staff: bool,
        author: String,
        body: String,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub at: Timestamp,
    pub request_id: String,
    pub number: String,
    pub procedure: String,
    pub service: String,
    pub what: EntryKind,
    /// The viewer may open the request from here.
    pub open_to_viewer: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum EntryKind {
    /// The first contact: filed online, or a visit, call, letter or e-mail recorded by an
    /// agent. Carries the current status of the request.
    Contact {
        channel: Channel,
        recorded_by: Option<String>,
        status: String,
    },
    Step {
        text: String,
        actor: String,
    },
    Message {
        from_staff: bool,
        author: String,
        body: String,
    },
}

/// Puts together the requests and what happened to them, newest first. What happened to a
/// request the viewer may not open is left out: they see that the contact took place, with
/// which service, not its content.
pub fn build(
    requests: &[RequestItem],
    happenings: &[(String, Timestamp, Happening)],
) -> Vec<Entry> {
    let mut entries: Vec<Entry> = requests
        .iter()
        .map(|r| Entry {
            at: r.at,
            request_id: r.id.clone(),
            number: r.number.clone(),
            procedure: r.procedure.clone(),
            service: r.service.clone(),
            what: EntryKind::Contact {
                channel: r.channel,
                recorded_by: r.recorded_by.clone(),
                status: r.status.clone(),
            },
            open_to_viewer: r.open_to_viewer,
        })
        .collect();
    for (request_id, at, happening) in happenings {
        let Some(r) = requests.iter().find(|r| &r.id == request_id) else {
            continue;
        };
        if !r.open_to_viewer {
            continue;
        }
        let what = match happening {
            Happening::Step { text, actor } => EntryKind::Step {
                text: text.clone(),
                actor: actor.clone(),
            },
            Happening::Message {
                from_staff,
                author,
                body,
            } => EntryKind::Message {
                from_staff: *from_staff,
                author: author.clone(),
                body: body.clone(),
            },
        };
        entries.push(Entry {
            at: *at,
            request_id: r.id.clone(),
            number: r.number.clone(),
            procedure: r.procedure.clone(),
            service: r.service.clone(),
            what,
            open_to_viewer: true,
        });
    }
    // Newest first; at the same instant the contact comes last, i.e. before what followed it
    // once the list is read from the bottom up.
    entries.sort_by(|a, b| {
        b.at.cmp(&a.at).then_with(|| {
            let rank = |e: &Entry| matches!(e.what, EntryKind::Contact { .. });
            rank(a).cmp(&rank(b))
        })
    });
    entries
}

/// How many contacts the person had through each channel, in the order of `Channel::ALL`,
/// leaving out channels never used.
pub fn channels_used(requests: &[RequestItem]) -> Vec<(Channel, usize)> {
    Channel::ALL
        .iter()
        .map(|c| (*c, requests.iter().filter(|r| r.channel == *c).count()))
        .filter(|(_, n)| *n > 0)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> Timestamp {
        Timestamp::from_second(1_780_000_000 + seconds).unwrap()
    }

    fn item(id: &str, channel: Channel, seconds: i64, open: bool) -> RequestItem {
        RequestItem {
            id: id.into(),
            number: format!("DEM-2026-{id}"),
            procedure: "Acte d'état civil".into(),
            service: "État civil".into(),
            status: "Déposée".into(),
            channel,
            at: at(seconds),
            recorded_by: (channel != Channel::Online).then(|| "Agent".into()),
            open_to_viewer: open,
        }
    }

    fn message(id: &str, seconds: i64) -> (String, Timestamp, Happening) {
        (
            id.into(),
            at(seconds),
            Happening::Message {
                from_staff: true,
                author: "Service".into(),
                body: "Bonjour".into(),
            },
        )
    }

    #[test]
    fn newest_first_with_what_followed_each_contact() {
        let requests = [
            item("1", Channel::Counter, 0, true),
            item("2", Channel::Online, 100, true),
        ];
        let happenings = [message("1", 50), message("2", 100)];
        let entries = build(&requests, &happenings);
        let order: Vec<(&str, bool)> = entries
            .iter()
            .map(|e| {
                (
                    e.request_id.as_str(),
                    matches!(e.what, EntryKind::Contact { .. }),
                )
            })
            .collect();
        assert_eq!(
            order,
            [("2", false), ("2", true), ("1", false), ("1", true)]
        );
    }

    #[test]
    fn content_of_requests_the_viewer_may_not_open_is_left_out() {
        let requests = [
            item("1", Channel::Phone, 0, false),
            item("2", Channel::Letter, 10, true),
        ];
        let happenings = [message("1", 5), message("2", 20)];
        let entries = build(&requests, &happenings);
        assert_eq!(entries.len(), 3, "both contacts, one message");
        assert!(
            entries
                .iter()
                .all(|e| e.request_id == "2" || !e.open_to_viewer)
        );
        assert!(
            entries
                .iter()
                .filter(|e| e.request_id == "1")
                .all(|e| matches!(e.what, EntryKind::Contact { .. }))
        );
    }

    #[test]
    fn happenings_of_unknown_requests_are_ignored() {
        let entries = build(&[item("1", Channel::Online, 0, true)], &[message("9", 5)]);
        assert_eq!(entries.len(), 1);
    }

    #[test]
    fn channels_are_counted_in_a_fixed_order() {
        let requests = [
            item("1", Channel::Letter, 0, true),
            item("2", Channel::Online, 0, true),
            item("3", Channel::Letter, 0, true),
        ];
        assert_eq!(
            channels_used(&requests),
            [(Channel::Online, 1), (Channel::Letter, 2)]
        );
    }
}
