// mkvctl: the admin CLI. Parses global options and one verb, runs it, maps the result to an exit
// code (0 ok, 1 refused or failed, 2 usage).
//   mkvctl --server HOST:PORT [--token T] [--json] VERB ...   (--json also after the verb)
#include <iostream>

#include "CLI/CLI.hpp"
#include "common/cli/command_line.h"
#include "ctl/commands.h"
#include "ctl/completion.h"
#ifdef MKVFLEET_HAVE_DOVI_CLI
#include "ctl/dovi/dovi_commands.h"
#endif

int main(int argc, char** argv) {
  mkvfleet::ctl::CtlCommandContext ctx;
  CLI::App app{"mkvctl: administer an mkvfleet coordinator"};
  app.fallthrough();  // global options are accepted after the verb too
  app.require_subcommand(1);
  app.add_option("--server", ctx.options.server, "coordinator HOST:PORT (env MKVFLEET_SERVER)");
  app.add_option("--token", ctx.options.token, "admin token (env MKVFLEET_ADMIN_TOKEN)");
  app.add_option("--config", ctx.options.config_file, "TOML file with server / admin_token")
      ->transform(mkvfleet::cli::AbsolutePath());
  mkvfleet::cli::AddVersionFlag(app, "mkvctl");
  app.add_flag("--json", ctx.options.json, "machine-readable output");
  mkvfleet::ctl::AddJobCommands(app, ctx);
  mkvfleet::ctl::AddAgentCommands(app, ctx);
  mkvfleet::ctl::AddWatchCommand(app, ctx);
  mkvfleet::ctl::AddDoctorCommand(app, ctx);
#ifdef MKVFLEET_HAVE_DOVI_CLI
  mkvfleet::ctl::AddDoviCommands(app, ctx.action);
  mkvfleet::ctl::AddGenSampleCommand(app, ctx.action);
#endif
  mkvfleet::ctl::AddCompletionCommand(app, ctx.action);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  return ctx.action ? ctx.action() : 0;
}
