// A daemon (coordinator or agent) started by a media test: its stdout goes to a file, its stderr
// tail is drained by a thread, and it is SIGKILLed (with its process group) when destroyed.
#pragma once

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "common/process/subprocess.h"

namespace mkvfleet::testing {

class Child {
 public:
  // REQUIREs that the program starts. `env`: extra "NAME=VALUE" entries for its environment.
  Child(std::vector<std::string> argv, const std::string& stdout_file,
        std::vector<std::string> env = {});
  ~Child();
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

 private:
  std::unique_ptr<process::Subprocess> proc_;
  std::thread waiter_;
};

}  // namespace mkvfleet::testing
