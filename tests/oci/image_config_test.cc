// Tests for image configs: every field round trips, Docker's nulls and extras, field errors.
#include "oci/image_config.h"

#include <doctest/doctest.h>

#include <string>

namespace builder::oci {
namespace {

ImageConfig Full() {
  ImageConfig c;
  c.created = "2024-05-06T07:08:09.123456789Z";
  c.author = "builder <b@example.com>";
  c.architecture = "arm64";
  c.os = "linux";
  c.os_version = "6.1";
  c.os_features = {"feature"};
  c.variant = "v8";
  ContainerConfig& cc = c.config;
  cc.user = "app:app";
  cc.exposed_ports = {"8080/tcp", "53/udp"};
  cc.env = {"PATH=/usr/bin:/bin", "EMPTY="};
  cc.entrypoint = {"/entry.sh"};
  cc.cmd = {"serve", "--port", "8080"};
  cc.volumes = {"/data", "/cache"};
  cc.working_dir = "/srv";
  cc.labels = {{"org.example.b", "2"}, {"org.example.a", "1"}};
  cc.stop_signal = "SIGTERM";
  cc.args_escaped = true;
  cc.healthcheck = Healthcheck{.test = {"CMD-SHELL", "curl -f http://localhost/ || exit 1"},
                               .interval = 30'000'000'000,
                               .timeout = 5'000'000'000,
                               .start_period = 1'000'000'000,
                               .start_interval = 500'000'000,
                               .retries = 3};
  cc.on_build = {"RUN echo child"};
  cc.shell = {"/bin/bash", "-c"};
  c.rootfs.diff_ids = {Digest::Of("layer1"), Digest::Of("layer2")};
  c.history = {
      {.created = "2024-05-06T07:08:09Z",
       .created_by = "ADD rootfs.tar /",
       .author = "me",
       .comment = "base",
       .empty_layer = false},
      {.created = "2024-05-06T07:08:10Z", .created_by = "ENV A=b", .empty_layer = true},
      {.created_by = "RUN make"},
  };
  return c;
}

TEST_CASE("every field round trips in canonical order") {
  ImageConfig c = Full();
  std::string json = c.Serialize();
  const std::string want =
      R"({"created":"2024-05-06T07:08:09.123456789Z","author":"builder \u003cb@example.com\u003e",)"
      R"("architecture":"arm64","os":"linux","os.version":"6.1","os.features":["feature"],"variant":"v8",)"
      R"("config":{"User":"app:app","ExposedPorts":{"53/udp":{},"8080/tcp":{}},)"
      R"("Env":["PATH=/usr/bin:/bin","EMPTY="],"Entrypoint":["/entry.sh"],"Cmd":["serve","--port","8080"],)"
      R"("Volumes":{"/cache":{},"/data":{}},"WorkingDir":"/srv",)"
      R"("Labels":{"org.example.a":"1","org.example.b":"2"},"StopSignal":"SIGTERM","ArgsEscaped":true,)"
      R"("Healthcheck":{"Test":["CMD-SHELL","curl -f http://localhost/ || exit 1"],"Interval":30000000000,)"
      R"("Timeout":5000000000,"StartPeriod":1000000000,"StartInterval":500000000,"Retries":3},)"
      R"("OnBuild":["RUN echo child"],"Shell":["/bin/bash","-c"]},)"
      R"("rootfs":{"type":"layers","diff_ids":[")" +
      Digest::Of("layer1").str() + R"(",")" + Digest::Of("layer2").str() +
      R"("]},"history":[{"created":"2024-05-06T07:08:09Z","created_by":"ADD rootfs.tar /","author":"me","comment":"base"},)"
      R"({"created":"2024-05-06T07:08:10Z","created_by":"ENV A=b","empty_layer":true},{"created_by":"RUN make"}]})";
  CHECK(json == want);
  auto back = ImageConfig::Parse(json);
  REQUIRE(back);
  CHECK(*back == c);
  CHECK(back->Serialize() == json);
}

TEST_CASE("platform accessors") {
  ImageConfig c = Full();
  Platform p = c.platform();
  CHECK(p.ToString() == "linux/arm64/v8");
  CHECK(p.os_version == "6.1");
  CHECK(p.os_features == std::vector<std::string>{"feature"});
  ImageConfig other;
  other.set_platform(p);
  CHECK(other.platform() == p);
  CHECK(other.architecture == "arm64");
}

TEST_CASE("chain ids") {
  RootFs r;
  CHECK(r.ChainIds().empty());
  Digest a = Digest::Of("a");
  Digest b = Digest::Of("b");
  Digest c = Digest::Of("c");
  r.diff_ids = {a, b, c};
  std::vector<Digest> chain = r.ChainIds();
  REQUIRE(chain.size() == 3);
  CHECK(chain[0] == a);
  CHECK(chain[1] == Digest::Of(a.str() + " " + b.str()));
  CHECK(chain[2] == Digest::Of(chain[1].str() + " " + c.str()));
  // Checked with sha256sum over the two goldens' diff ids joined by a space.
  r.diff_ids = {
      Digest::Parse("sha256:fe4922f0a3ca2aa707ca0f8cc53937e947fec1157a09302baf11904258d67d17")
          .value(),
      Digest::Parse("sha256:007165e99d6304af5653e8a8cc1c8886e5719cf31bf09cbd9f50fa09008ef654")
          .value()};
  CHECK(r.ChainIds()[1].str() ==
        "sha256:1855c203cb5fb043c8e6558ceaa2109079c73649ac181b5c05d0042dc4db12fa");
}

TEST_CASE("a minimal config writes only what is required") {
  ImageConfig c;
  c.architecture = "amd64";
  c.os = "linux";
  CHECK(
      c.Serialize() ==
      R"({"architecture":"amd64","os":"linux","config":{},"rootfs":{"type":"layers","diff_ids":[]}})");
  CHECK(ImageConfig::Parse(c.Serialize()).value() == c);
}

TEST_CASE("an empty healthcheck is kept apart from none") {
  ImageConfig c;
  c.architecture = "amd64";
  c.os = "linux";
  c.config.healthcheck = Healthcheck{.test = {"NONE"}};
  std::string json = c.Serialize();
  CHECK(json.find(R"("Healthcheck":{"Test":["NONE"]})") != std::string::npos);
  CHECK(ImageConfig::Parse(json).value() == c);
}

TEST_CASE("Docker's nulls and legacy fields are tolerated") {
  const std::string docker =
      R"({"architecture":"amd64","config":{"Hostname":"","Domainname":"",)"
      R"("User":"","AttachStdin":false,"Tty":false,"Env":["PATH=/bin"],)"
      R"("Cmd":["sh"],"Image":"sha256:919d","Volumes":null,"WorkingDir":"",)"
      R"("Entrypoint":null,"OnBuild":null,"Labels":null,"Healthcheck":null},)"
      R"("container":"adfa","container_config":{"Cmd":["/bin/sh"]},)"
      R"("created":"2015-10-21T07:28:00Z","docker_version":"20.10.23",)"
      R"("history":[{"created":"2015-10-21T07:28:00Z","created_by":"x"}],)"
      R"("os":"linux","rootfs":{"type":"layers","diff_ids":[")" +
      Digest::Of("a").str() + R"("]}})";
  auto c = ImageConfig::Parse(docker);
  REQUIRE(c);
  CHECK(c->config.env == std::vector<std::string>{"PATH=/bin"});
  CHECK(c->config.cmd == std::vector<std::string>{"sh"});
  CHECK(c->config.volumes.empty());
  CHECK(c->config.entrypoint.empty());
  CHECK_FALSE(c->config.healthcheck);
  CHECK(c->rootfs.diff_ids.size() == 1);
  CHECK(c->history.size() == 1);
  CHECK(ImageConfig::Parse(c->Serialize()).value() == *c);
}

TEST_CASE("field errors") {
  const std::string rootfs = R"("rootfs":{"type":"layers","diff_ids":[]})";
  auto with = [&](const std::string& fields) {
    return R"({"architecture":"amd64","os":"linux",)" + rootfs + "," + fields + "}";
  };
  struct Case {
    std::string json;
    std::string message;
  };
  const Case cases[] = {
      {R"({"os":"linux",)" + rootfs + "}", "config.architecture: required field missing"},
      {R"({"architecture":"amd64",)" + rootfs + "}", "config.os: required field missing"},
      {R"({"architecture":"amd64","os":"linux"})", "config.rootfs: required field missing"},
      {R"({"architecture":"amd64","os":7,)" + rootfs + "}",
       "config.os: expected a string, got number"},
      {with(R"("variant":1)"), "config.variant: expected a string, got number"},
      {with(R"("config":{"User":1})"), "config.config.User: expected a string, got number"},
      {with(R"("config":[])"), "config.config: expected an object, got array"},
      {with(R"("config":{"Env":"A=b"})"),
       "config.config.Env: expected an array of strings, got string"},
      {with(R"("config":{"Env":["A=b",7]})"),
       "config.config.Env[1]: expected a string, got number"},
      {with(R"("config":{"Env":["A=b","NOEQUALS"]})"),
       "config.config.Env[1]: \"NOEQUALS\" is not KEY=value"},
      {with(R"("config":{"Env":["=value"]})"), "config.config.Env[0]: \"=value\" is not KEY=value"},
      {with(R"("config":{"Volumes":["/data"]})"),
       "config.config.Volumes: expected an object of objects, got array"},
      {with(R"("config":{"ExposedPorts":{"80/tcp":"yes"}})"),
       "config.config.ExposedPorts[\"80/tcp\"]: expected an object, got string"},
      {with(R"("config":{"Labels":{"a":1}})"),
       "config.config.Labels[\"a\"]: expected a string, got number"},
      {with(R"("config":{"ArgsEscaped":"true"})"),
       "config.config.ArgsEscaped: expected a boolean, got string"},
      {with(R"("config":{"Healthcheck":{"Interval":"30s"}})"),
       "config.config.Healthcheck.Interval: expected an integer, got string"},
      {with(R"("config":{"Healthcheck":{"Retries":9999999999}})"),
       "config.config.Healthcheck.Retries: integer out of range"},
      {with(R"("history":"none")"), "config.history: expected an array, got string"},
      {with(R"("history":[{"empty_layer":"yes"}])"),
       "config.history[0].empty_layer: expected a boolean, got string"},
      {R"({"architecture":"amd64","os":"linux","rootfs":{"type":"zfs","diff_ids":[]}})",
       "config.rootfs.type: unsupported rootfs type \"zfs\" (want \"layers\")"},
      {R"({"architecture":"amd64","os":"linux","rootfs":{"diff_ids":[]}})",
       "config.rootfs.type: required field missing"},
      {R"({"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["sha256:nope"]}})",
       "config.rootfs.diff_ids[0]: invalid digest \"sha256:nope\": sha256 needs 64 hex "
       "characters, got 4"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.json);
    auto config = ImageConfig::Parse(c.json);
    REQUIRE_FALSE(config);
    CHECK(config.error().code() == ErrorCode::kCorrupt);
    CHECK(config.error().message() == c.message);
  }
  CHECK(ImageConfig::Parse(R"({"architecture":"amd64",)").error().code() == ErrorCode::kParse);
}

}  // namespace
}  // namespace builder::oci
