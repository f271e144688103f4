//! The two operations on a spool, ARM (assembly) and SOLD (welding), and the Estado_Detalle texts they write.

use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};
use specta::Type;

use crate::{Role, SpoolError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Type)]
pub enum Operation {
    #[serde(rename = "ARM")]
    Arm,
    #[serde(rename = "SOLD")]
    Sold,
}

impl Operation {
    pub const ALL: [Operation; 2] = [Operation::Arm, Operation::Sold];

    pub fn code(self) -> &'static str {
        match self {
            Operation::Arm => "ARM",
            Operation::Sold => "SOLD",
        }
    }

    /// Roles that may do this operation: the specialist or an Ayudante.
    pub fn allowed_roles(self) -> [Role; 2] {
        match self {
            Operation::Arm => [Role::Armador, Role::Ayudante],
            Operation::Sold => [Role::Soldador, Role::Ayudante],
        }
    }

    pub fn estado_trabajando(self, holder: &str) -> String {
        format!("{holder} trabajando {self}")
    }

    pub fn estado_pausado(self) -> String {
        format!("{self} pausado")
    }

    pub fn estado_liberado(self) -> String {
        format!("{self} liberado por supervisor")
    }

    pub fn estado_completado(self) -> String {
        match self {
            Operation::Arm => "ARM completado, SOLD pendiente".to_string(),
            Operation::Sold => "SOLD completado".to_string(),
        }
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.code())
    }
}

impl FromStr for Operation {
    type Err = SpoolError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim().to_uppercase().as_str() {
            "ARM" => Ok(Operation::Arm),
            "SOLD" => Ok(Operation::Sold),
            other => Err(SpoolError::InvalidInput {
                field: "operación".into(),
                reason: format!("«{other}» no es ARM ni SOLD"),
            }),
        }
    }
}
