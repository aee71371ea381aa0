// The bash completion script is generated from the CLI11 tree: every visible verb and option is
// offered at its level, options taking a value are known as such, hidden ones are left out.
#include "ctl/completion.h"

#include <catch2/catch.hpp>

#include <functional>
#include <string>

#include "ctl/commands.h"

namespace mkvfleet::ctl {
namespace {

TEST_CASE("the completion script follows the command tree") {
  CtlCommandContext ctx;
  CLI::App app{"mkvctl"};
  app.add_flag("--json", ctx.options.json, "machine-readable output");
  app.add_option("--server", ctx.options.server, "coordinator HOST:PORT");
  AddJobCommands(app, ctx);
  CLI::App* hidden = app.add_subcommand("secret", "not for users");
  hidden->group("");
  AddCompletionCommand(app, ctx.action);
  const std::string script = BashCompletionScript(app);

  CHECK(script.find("complete -o default -o bashdefault -F _mkvctl mkvctl") != std::string::npos);
  CHECK(script.find("' enqueue'") != std::string::npos);
  CHECK(script.find("' completion'") != std::string::npos);
  CHECK(script.find("secret") == std::string::npos);
  // Root level: its verbs and options; --server takes a value, --json does not.
  CHECK(script.find("\"\") valued=' --server ' ;;") != std::string::npos);
  // enqueue: --plan and --chunks take values, --repair-rpus is a flag.
  CHECK(script.find("\" enqueue\") valued=' --plan --chunks ' ;;") != std::string::npos);
  CHECK(script.find("\" enqueue\") words='--help --plan --chunks --repair-rpus' ;;") !=
        std::string::npos);
}

TEST_CASE("mkvctl completion bash prints the script") {
  CtlCommandContext ctx;
  CLI::App app{"mkvctl"};
  AddCompletionCommand(app, ctx.action);
  app.parse(std::vector<std::string>{"bash", "completion"});  // CLI11 takes them reversed
  REQUIRE(ctx.action);
  CHECK_THROWS_AS(app.parse(std::vector<std::string>{"zsh", "completion"}), CLI::ValidationError);
}

}  // namespace
}  // namespace mkvfleet::ctl
