// A scratch directory of layer dirs for layer-view tests, removed afterwards.
#pragma once

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "base/path.h"
#include "oci/remove_tree.h"

namespace builder::oci::testing {

class TempLayers {
 public:
  TempLayers() {
    char templ[] = "/tmp/layers-test-XXXXXX";
    if (mkdtemp(templ)) root_ = templ;
  }
  ~TempLayers() { (void)oci::RemoveTree(root_); }
  std::string Dir(const std::string& layer) const { return root_ + "/" + layer; }
  void File(const std::string& layer, const std::string& path, const std::string& content) const {
    (void)MakeDirs(DirName(Dir(layer) + path));
    std::ofstream(Dir(layer) + path, std::ios::binary) << content;
  }
  void Mkdir(const std::string& layer, const std::string& path) const { (void)MakeDirs(Dir(layer) + path); }
  void Link(const std::string& layer, const std::string& path, const std::string& target) const {
    (void)MakeDirs(DirName(Dir(layer) + path));
    (void)symlink(target.c_str(), (Dir(layer) + path).c_str());
  }
  void Whiteout(const std::string& layer, const std::string& path) const {
    (void)MakeDirs(DirName(Dir(layer) + path));
    (void)mknod((Dir(layer) + path).c_str(), S_IFCHR | 0600, 0);
  }

 private:
  std::string root_;
};

}  // namespace builder::oci::testing
