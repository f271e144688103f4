//! `spooltrack`: the window when called alone, the command line with a subcommand.

use std::process::ExitCode;

use clap::Parser;
use spooltrack_app::{
    cli::{self, Cli},
    logging,
};

fn main() -> ExitCode {
    let mut cli = Cli::parse();
    let default_level = if cli.command.is_some() { "warn" } else { "info" };
    logging::init(default_level);

    match cli.command.take() {
        Some(command) => match tokio::runtime::Runtime::new() {
            Ok(runtime) => runtime.block_on(cli::run(cli, command)),
            Err(error) => {
                eprintln!("no se pudo iniciar: {error}");
                ExitCode::from(3)
            }
        },
        None => open_window(&cli),
    }
}

fn open_window(cli: &Cli) -> ExitCode {
    let config = match cli.load_config() {
        Ok(config) => config,
        Err(error) => {
            eprintln!("{error}");
            return ExitCode::from(3);
        }
    };
    match spooltrack_app::run_window(config) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("la ventana no pudo abrirse: {error}");
            ExitCode::from(3)
        }
    }
}
