// mkvctl agent verbs: agents, drain.
#include <iostream>
#include <memory>

#include "ctl/commands.h"
#include "ctl/output_format.h"

namespace mkvfleet::ctl {

void AddAgentCommands(CLI::App& app, CtlCommandContext& ctx) {
  app.add_subcommand("agents", "list agents and what they are doing")->callback([&ctx] {
    ctx.action = [&ctx] {
      return WithClient(ctx, [&](AdminClient& c) {
        v1::ListAgentsResponse resp;
        auto rpc = c.Context();
        grpc::Status s = c.stub().ListAgents(rpc.get(), v1::ListAgentsRequest(), &resp);
        if (!s.ok()) return Fail(c.Explain(s, "agents"));
        std::vector<v1::Agent> agents(resp.agents().begin(), resp.agents().end());
        if (ctx.options.json) {
          nlohmann::json arr = nlohmann::json::array();
          for (const auto& a : agents) arr.push_back(AgentToJson(a));
          std::cout << arr.dump(2) << "\n";
        } else {
          std::cout << AgentsTable(agents);
        }
        return 0;
      });
    };
  });

  auto name = std::make_shared<std::string>();
  auto undrain = std::make_shared<bool>(false);
  CLI::App* drain = app.add_subcommand("drain", "stop new claims by an agent (what it holds finishes)");
  drain->add_option("agent", *name, "agent name")->required();
  drain->add_flag("--undrain", *undrain, "let the agent claim again");
  drain->callback([&ctx, name, undrain] {
    ctx.action = [&ctx, name, undrain] {
      return WithClient(ctx, [&](AdminClient& c) {
        v1::DrainAgentRequest req;
        req.set_name(*name);
        req.set_undrain(*undrain);
        v1::Agent agent;
        auto rpc = c.Context();
        grpc::Status s = c.stub().DrainAgent(rpc.get(), req, &agent);
        if (!s.ok()) return Fail(c.Explain(s, "drain"));
        if (ctx.options.json) {
          std::cout << AgentToJson(agent).dump(2) << "\n";
        } else {
          std::cout << AgentsTable({agent});
        }
        return 0;
      });
    };
  });
}

}  // namespace mkvfleet::ctl
