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
    let opened = match cli.first_start() {
        Some(path) => spooltrack_app::run_first_start(path),
        None => match cli.load_config() {
            Ok(config) => spooltrack_app::run_window(config),
            Err(error) => {
                eprintln!("{error}");
                return ExitCode::from(3);
            }
        },
    };
    match opened {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("la ventana no pudo abrirse: {error}");
            ExitCode::from(3)
        }
    }
}
