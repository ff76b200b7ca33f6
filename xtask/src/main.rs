//! Project automation, run as `cargo xtask <command>`: installs the tools the project needs
//! (checking versions first), runs the app with demo data and runs every test.

#[cfg(test)]
mod layers;
mod start;
mod test;
mod tools;
mod util;
mod web;

use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  start [--addr IP:PORT] [--fresh]   set everything up and run the app with demo data
                                     (embedded SQLite in data/; --fresh deletes data/ first)
  test [--only STEP[,STEP…]]         run every check and test, or only the named steps
  web                                install the web tools and build the web app into dist/
  setup                              only install/check the tools and start PostgreSQL
  help                               show this text";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((command, rest)) = args.split_first() else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let root = util::repo_root();
    if let Err(error) = util::set_up_path(&root) {
        eprintln!("error: {error:#}");
        return ExitCode::FAILURE;
    }
    if matches!(command.as_str(), "start" | "test" | "web" | "setup") {
        tools::ensure_linker();
    }
    let result = match command.as_str() {
        "start" => start::main(rest).map(|()| true),
        "test" => test::main(rest),
        "web" => tools::ensure_web_tools(&root)
            .and_then(|()| web::build(&root))
            .map(|_| true),
        "setup" => tools::ensure_web_tools(&root)
            .and_then(|()| tools::ensure_browser())
            .and_then(|()| tools::ensure_postgres())
            .and_then(|()| tools::ensure_mail_server(&root))
            .map(|()| true),
        "help" | "-h" | "--help" => {
            println!("{USAGE}");
            print_steps();
            Ok(true)
        }
        other => {
            eprintln!("unknown command `{other}`\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn print_steps() {
    println!();
    println!("test steps, in order:");
    for (name, about) in test::STEPS {
        println!("  {name:<14} {about}");
    }
}
