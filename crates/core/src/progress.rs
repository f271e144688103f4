//! How far each order has come: per NV, and per OT within it, how many spools are pending, in ARM, with ARM
//! done, in SOLD and with SOLD done — the numbers the supervisor's progress bars draw. Every spool counts in
//! exactly one stage (a row that cannot be read, as unreadable), so the parts of a bar add up to its spools.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use specta::Type;
use spooltrack_domain::{SpoolError, Stage};

use crate::SpoolService;

/// The spools of one group by stage.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct StageCounts {
    pub pendientes: u32,
    pub arm_en_curso: u32,
    pub arm_hecho: u32,
    pub sold_en_curso: u32,
    pub sold_hecho: u32,
    /// Rows that cannot be read (DATA_CORRUPT): a person has to look at them.
    pub ilegibles: u32,
    pub total: u32,
}

impl StageCounts {
    fn count(&mut self, stage: Option<Stage>) {
        let counter = match stage {
            Some(Stage::Pendiente) => &mut self.pendientes,
            Some(Stage::ArmEnCurso) => &mut self.arm_en_curso,
            Some(Stage::ArmHecho) => &mut self.arm_hecho,
            Some(Stage::SoldEnCurso) => &mut self.sold_en_curso,
            Some(Stage::SoldHecho) => &mut self.sold_hecho,
            None => &mut self.ilegibles,
        };
        *counter += 1;
        self.total += 1;
    }
}

/// One OT of an NV.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct OtProgress {
    pub ot: Option<String>,
    pub counts: StageCounts,
}

/// One NV, with its OTs in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct NvProgress {
    pub nv: Option<String>,
    pub counts: StageCounts,
    pub ots: Vec<OtProgress>,
}

/// A group's name as it sorts: named ones in order, the spools without a name last.
type GroupKey = (bool, Option<String>);

fn group_key(name: Option<&String>) -> GroupKey {
    (name.is_none(), name.cloned())
}

impl SpoolService {
    /// Every NV in order (spools without one last), from one read of the rows.
    pub async fn progress(&self) -> Result<Vec<NvProgress>, SpoolError> {
        let shop = self.load().await?;
        let mut orders: BTreeMap<GroupKey, (StageCounts, BTreeMap<GroupKey, StageCounts>)> = BTreeMap::new();
        for record in &shop.spools {
            let spool = record.spool().ok();
            let stage = spool.map(|spool| spool.stage());
            let (counts, ots) = orders.entry(group_key(spool.and_then(|spool| spool.nv.as_ref()))).or_default();
            counts.count(stage);
            ots.entry(group_key(spool.and_then(|spool| spool.ot.as_ref()))).or_default().count(stage);
        }
        Ok(orders
            .into_iter()
            .map(|((_, nv), (counts, ots))| NvProgress {
                nv,
                counts,
                ots: ots.into_iter().map(|((_, ot), counts)| OtProgress { ot, counts }).collect(),
            })
            .collect())
    }
}
