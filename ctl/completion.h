// Shell completion for mkvctl, generated from the same CLI11 tree that parses the command line, so
// a new verb or option completes without anyone editing a script. The package installs the bash
// script (/usr/share/bash-completion/completions/mkvctl); `mkvctl completion bash` prints it.
#pragma once

#include <functional>
#include <string>

#include "CLI/CLI.hpp"

namespace mkvfleet::ctl {

// A bash script defining `_mkvctl` and `complete -F _mkvctl ... mkvctl`: after the verbs typed so
// far it offers that level's sub-verbs and options (hidden options excluded); after an option
// that takes a value, and for positional arguments, file names (bash's default completion).
std::string BashCompletionScript(const CLI::App& app);

// Registers `mkvctl completion bash`. `root` is the whole application (the tree to describe);
// the verb stores its printing action in `action`.
void AddCompletionCommand(CLI::App& root, std::function<int()>& action);

}  // namespace mkvfleet::ctl
