//! The architecture section: the catalog's flows, the fixed diagrams (server initialisation,
//! multi-server deployment, namespaces and rooms) and one sequence per subscription event, all
//! as Mermaid source (the Markdown keeps it for GitHub to draw; the site draws it as SVG).

use super::connection::NamespaceView;
use super::events::target_room;
use super::stack::StackView;
use super::{event_ref, EventRef};
use crate::catalog::Catalog;
use crate::render::diagrams;
use crate::render::text::anchor;
use serde::Serialize;

/// A flow diagram.
#[derive(Clone, Debug, Serialize)]
pub struct FlowView {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Text.
    pub description: Option<String>,
    /// Mermaid source.
    pub mermaid: String,
}

/// The fixed diagrams of the architecture page.
#[derive(Clone, Debug, Serialize)]
pub struct Diagrams {
    /// Server initialisation and middleware stack.
    pub server_init: String,
    /// Load balancer, instances, Redis adapter.
    pub multi_server: String,
    /// Namespaces and rooms.
    pub namespaces: String,
}

/// A subscription event and its sequence diagram.
#[derive(Clone, Debug, Serialize)]
pub struct SubscriptionView {
    /// The subscription event.
    pub event: EventRef,
    /// Room joined.
    pub room: String,
    /// Mermaid source.
    pub mermaid: String,
}

/// The catalog's flows, each as a flowchart.
pub(super) fn flows(cat: &Catalog) -> Vec<FlowView> {
    cat.flows
        .iter()
        .map(|(id, f)| FlowView {
            id: anchor("flow-", id),
            title: f.title.clone(),
            description: f.description.clone(),
            mermaid: diagrams::flow(&f.steps),
        })
        .collect()
}

/// The fixed diagrams, drawn for this catalog.
pub(super) fn fixed_diagrams(
    cat: &Catalog,
    namespaces: &[NamespaceView],
    stack: &StackView,
) -> Diagrams {
    Diagrams {
        server_init: diagrams::server_init(cat, stack.server),
        multi_server: diagrams::multi_server(stack.server, stack.client),
        namespaces: diagrams::namespaces(namespaces),
    }
}

/// One sequence diagram per event that joins a room: the request, its replies and errors, and
/// the events then pushed to the room.
pub(super) fn subscriptions(cat: &Catalog) -> Vec<SubscriptionView> {
    cat.events
        .iter()
        .filter_map(|(name, ev)| {
            let room = ev.joins.as_ref()?;
            let replies: Vec<&str> = ev.replies.iter().map(|r| r.event()).collect();
            let pushes: Vec<&str> = cat
                .events
                .iter()
                .filter(|(_, e)| target_room(e) == Some(room))
                .map(|(n, _)| n.as_str())
                .collect();
            Some(SubscriptionView {
                event: event_ref(cat, name),
                room: room.clone(),
                mermaid: diagrams::subscription(name, room, &replies, &ev.errors, &pushes),
            })
        })
        .collect()
}
