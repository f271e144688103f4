//! Who is working on what now: every active worker whose roles let them take spools, with what they hold, the
//! board's *Trabajadores*. Someone holding nothing is shown too: a supervisor looks for them as much as for
//! the busy ones.

use std::cmp::Reverse;

use serde::{Deserialize, Serialize};
use specta::Type;
use spooltrack_domain::{SpoolError, WorkerId};

use crate::{SpoolService, SpoolView, WorkerView};

/// A worker and the spools they hold, the longest held first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct CrewMember {
    pub worker: WorkerView,
    pub spools: Vec<SpoolView>,
}

impl SpoolService {
    /// Those holding spools first (the one holding a spool longest at the top), then those holding nothing, by
    /// name; from one read of the rows and one inspection of the locks. A holder is known by the id in the
    /// row's `INICIALES(ID)`, whatever their name says now.
    pub async fn crew(&self) -> Result<Vec<CrewMember>, SpoolError> {
        let shop = self.load().await?;
        let views = self.views(&shop, &shop.spools).await?;
        let mut held: Vec<(WorkerId, SpoolView)> = shop
            .spools
            .iter()
            .zip(views)
            .filter_map(|(record, view)| Some((record.spool().ok()?.holder_id()?, view)))
            .collect();
        held.sort_by_key(|(_, view)| Reverse(view.ocupado_minutos));
        let mut crew: Vec<CrewMember> = shop
            .workers
            .iter()
            .filter(|worker| worker.activo && !worker.operations().is_empty())
            .map(|worker| CrewMember {
                worker: WorkerView::from(worker),
                spools: held.iter().filter(|(holder, _)| *holder == worker.id).map(|(_, view)| view.clone()).collect(),
            })
            .collect();
        let order = |member: &CrewMember| {
            let longest = member.spools.first().and_then(|view| view.ocupado_minutos);
            (member.spools.is_empty(), Reverse(longest), member.worker.apellido.clone(), member.worker.nombre.clone())
        };
        crew.sort_by_key(order);
        Ok(crew)
    }
}
