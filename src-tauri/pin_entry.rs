//! Where the command line gets a supervisor's PIN: typed at the terminal without echo, or one line of standard
//! input each with `--pin-stdin` (for scripts). Never from an argument: arguments show in `ps` and in the shell's
//! history.

use std::io::{BufRead, IsTerminal};

use spooltrack_domain::SpoolError;

pub struct PinEntry {
    from_stdin: bool,
}

impl PinEntry {
    pub fn new(from_stdin: bool) -> PinEntry {
        PinEntry { from_stdin }
    }

    /// The next PIN; `prompt` is what the terminal shows.
    pub fn next(&self, prompt: &str) -> Result<String, SpoolError> {
        if self.from_stdin {
            let mut line = String::new();
            std::io::stdin().lock().read_line(&mut line).map_err(|error| unreadable(&error.to_string()))?;
            return Ok(line.trim().to_string());
        }
        if !std::io::stdin().is_terminal() {
            return Err(unreadable("no hay terminal: use --pin-stdin para darlo por la entrada estándar"));
        }
        rpassword::prompt_password(prompt).map_err(|error| unreadable(&error.to_string()))
    }

    /// A new PIN, typed twice at a terminal (once from standard input).
    pub fn new_pin(&self) -> Result<String, SpoolError> {
        let pin = self.next("PIN nuevo: ")?;
        if !self.from_stdin && self.next("Repita el PIN nuevo: ")? != pin {
            return Err(SpoolError::InvalidInput {
                field: "nuevo PIN".into(),
                reason: "las dos entradas no coinciden".into(),
            });
        }
        Ok(pin)
    }
}

fn unreadable(reason: &str) -> SpoolError {
    SpoolError::InvalidInput { field: "PIN".into(), reason: reason.into() }
}
