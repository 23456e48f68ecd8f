# SPDX-License-Identifier: Apache-2.0
"""deploy/kubernetes without a cluster: every manifest against the Kubernetes OpenAPI
schemas in strict mode (kubernetes-validate), the contract each manifest promises, the
CronJob's and the Indexed Job's commands run as written on the simulator, and the RRSA
profile: written by scripts/rrsa-profile.sh through the real aliyun CLI, shown valid by
`aliyun configure list`, and resolved by the Step 7 SDK's credential chain up to the
STS token exchange (offline here, so the exchange itself is answered in-process).

What is not tested here: a real cluster, the pod identity webhook, STS."""

import http.server
import json
import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
KDIR = REPO / "deploy" / "kubernetes"
ACKPROF = Path(os.environ.get("ACKPROF", REPO / "ackprof"))
DOUBLE = REPO / "tests" / "double" / "aliyun"
RRSA = REPO / "scripts" / "rrsa-profile.sh"
K8S_VERSION = "1.37.0"
# CRDs (PrometheusRule) have no schema in kubernetes-validate; they are checked below.
CORE = sorted(p for p in KDIR.glob("*.yaml") if p.name != "prometheusrule.yaml")
ROLE = "acs:ram::1234567890123456:role/ackprof-fleet"
PROVIDER = "acs:ram::1234567890123456:oidc-provider/ack-rrsa-c0123456789abcdef0123456789abcdef"


def load(name):
    return yaml.safe_load((KDIR / name).read_text())


def validate(paths):
    exe = Path(sys.executable).with_name("kubernetes-validate")
    return subprocess.run([str(exe), "--strict", "-k", K8S_VERSION] + [str(p) for p in paths],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True)


@pytest.mark.parametrize("path", CORE, ids=lambda p: p.name)
def test_manifest_is_valid_in_strict_mode(path):
    r = validate([path])
    assert r.returncode == 0, r.stdout
    assert "passed" in r.stdout


def test_strict_mode_refuses_an_unknown_field(tmp_path):
    doc = load("cronjob.yaml")
    doc["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]["runAsUser"] = 1
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(doc))
    r = validate([bad])
    assert r.returncode != 0, r.stdout


def test_the_kubernetes_version_is_the_newest_kubernetes_validate_knows():
    from kubernetes_validate import utils
    assert K8S_VERSION == utils.latest_version(), \
        "kubernetes-validate knows %s: validate against it (K8S_VERSION, README)" % utils.latest_version()
    readme = " ".join((REPO / "README.md").read_text().split())
    assert "Kubernetes %s OpenAPI" % K8S_VERSION.rsplit(".", 1)[0] in readme


def test_rrsa_wiring_uses_the_webhooks_own_names():
    """ack-pod-identity-webhook injects into Pods of a namespace labelled
    pod-identity.alibabacloud.com/injection: "on" whose ServiceAccount carries
    pod-identity.alibabacloud.com/role-name; README's trust policy names that account."""
    ns, sa = load("namespace.yaml"), load("serviceaccount.yaml")
    assert ns["metadata"]["labels"]["pod-identity.alibabacloud.com/injection"] == "on"
    role = sa["metadata"]["annotations"]["pod-identity.alibabacloud.com/role-name"]
    assert re.fullmatch(r"[A-Za-z0-9.-]{1,64}", role)
    for p in sorted(KDIR.glob("*.yaml")):
        if p.name != "namespace.yaml":
            assert yaml.safe_load(p.read_text())["metadata"]["namespace"] == ns["metadata"]["name"], p.name
    readme = (REPO / "README.md").read_text()
    section = readme[readme.index("### Run on Kubernetes"):readme.index("### Monitoring")]
    policy = json.loads(re.search(r"```json\n(.*?)```", section, re.S).group(1))
    [st] = policy["Statement"]
    assert (st["Effect"], st["Action"]) == ("Allow", "sts:AssumeRole")
    assert re.fullmatch(r"acs:ram::[A-Z_]+:oidc-provider/ack-rrsa-[A-Z_]+", st["Principal"]["Federated"][0])
    cond = st["Condition"]["StringEquals"]
    assert cond["oidc:aud"] == "sts.aliyuncs.com"
    assert cond["oidc:sub"] == "system:serviceaccount:%s:%s" % (sa["metadata"]["namespace"], sa["metadata"]["name"])
    assert "`%s`" % role in section


def test_the_pods_assume_the_image_tools_mkimage_makes():
    """The manifests run the image of tools/mkimage (`make image`): its user, its HOME and
    SDK venv, rrsa-profile.sh where the package installs it (PREFIX=/usr), and curl for
    --push, which the image gets as a Recommends of the package (mkimage installs them)."""
    mk = (REPO / "tools" / "mkimage").read_text()
    uid = int(re.search(r"^uid=(\d+)$", mk, re.M).group(1))
    image_env = dict(re.findall(r"--env (ACKPROF_SDK_VENV|HOME)=(\S+)", mk))
    assert "Depends Recommends" in mk
    control = (REPO / "debian" / "control").read_text()
    recommends = re.search(r"^Recommends: (.*)$", control, re.M).group(1)
    assert "curl" in [r.strip() for r in recommends.split(",")]
    assert re.search(r"install -m 755 scripts/rrsa-profile.sh \$\(call D,\$\(SHAREDIR\)/scripts/rrsa-profile.sh\)",
                     (REPO / "Makefile").read_text())
    assert re.search(r"^SHAREDIR \?= \$\(PREFIX\)/share/ackprof$", (REPO / "Makefile").read_text(), re.M)
    assert "PREFIX=/usr" in (REPO / "debian" / "rules").read_text()
    for name in ("cronjob.yaml", "indexed-job.yaml"):
        pod = pod_spec(load(name))
        assert pod["securityContext"]["runAsUser"] == uid, name
        [c] = pod["containers"]
        env = {e["name"]: e.get("value") for e in c["env"]}
        for k, v in image_env.items():
            assert env.get(k, v) == v, "%s: %s=%s, the image has %s" % (name, k, env.get(k), v)
        assert c["command"][0] == "/usr/share/ackprof/scripts/rrsa-profile.sh", name


def pod_spec(doc):
    spec = doc["spec"]
    return (spec["jobTemplate"]["spec"] if doc["kind"] == "CronJob" else spec)["template"]["spec"]


@pytest.mark.parametrize("name", ["cronjob.yaml", "indexed-job.yaml"])
def test_job_pods_are_locked_down(name):
    doc = load(name)
    job = doc["spec"]["jobTemplate"]["spec"] if doc["kind"] == "CronJob" else doc["spec"]
    assert job["activeDeadlineSeconds"] > 0
    pod = pod_spec(doc)
    assert pod["serviceAccountName"] == load("serviceaccount.yaml")["metadata"]["name"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] > 0
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    [c] = pod["containers"]
    assert c["securityContext"]["readOnlyRootFilesystem"] is True
    assert c["securityContext"]["allowPrivilegeEscalation"] is False
    assert c["securityContext"]["capabilities"]["drop"] == ["ALL"]
    for k in ("cpu", "memory"):
        assert c["resources"]["requests"][k] and c["resources"]["limits"][k]
    env = {e["name"]: e for e in c["env"]}
    mounts = {m["mountPath"]: m["name"] for m in c["volumeMounts"]}
    vols = {v["name"]: v for v in pod["volumes"]}
    # The root filesystem is read-only: HOME (the CLI's config) and /tmp are emptyDirs.
    assert "emptyDir" in vols[mounts[env["HOME"]["value"]]]
    assert "emptyDir" in vols[mounts["/tmp"]]
    # The state lives on a claim, so a killed run resumes.
    assert "persistentVolumeClaim" in vols[mounts["/var/lib/ackprof"]]
    assert c["command"][0] == "/usr/share/ackprof/scripts/rrsa-profile.sh"


def test_cronjob_runs_one_at_a_time_and_keeps_its_state_on_a_claim():
    doc = load("cronjob.yaml")
    assert doc["spec"]["concurrencyPolicy"] == "Forbid"
    claims = {d["metadata"]["name"] for d in (load("pvc.yaml"),)}
    vols = {v["name"]: v for v in pod_spec(doc)["volumes"]}
    assert vols["state"]["persistentVolumeClaim"]["claimName"] in claims


def test_indexed_job_passes_its_index_as_the_shard():
    doc = load("indexed-job.yaml")
    spec = doc["spec"]
    assert spec["completionMode"] == "Indexed"
    n = spec["completions"]
    assert spec["parallelism"] == n
    args = pod_spec(doc)["containers"][0]["args"]
    assert args[args.index("--shard") + 1] == "$(JOB_COMPLETION_INDEX)/%d" % n
    assert "%K" in args[args.index("--state") + 1] and "%K" in args[args.index("--metrics") + 1]
    assert load("pvc-sweep.yaml")["spec"]["accessModes"] == ["ReadWriteMany"]


# ---- the commands as written, on the simulator ------------------------------------

class Gateway(http.server.BaseHTTPRequestHandler):
    """A stand-in Pushgateway: records each PUT (path and body); tests/e2e/shard.sh uses the real one."""
    puts = []

    def do_PUT(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        Gateway.puts.append((self.path, body.decode()))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *a):
        pass


@pytest.fixture
def gateway():
    Gateway.puts = []
    srv = http.server.HTTPServer(("127.0.0.1", 0), Gateway)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield "http://127.0.0.1:%d" % srv.server_address[1], Gateway.puts
    srv.shutdown()


needs_build = pytest.mark.skipif(not (ACKPROF.exists() and DOUBLE.exists()),
                                 reason="ackprof or the double is not built (make)")


def pod_env(tmp_path, gw, home):
    token = tmp_path / "token"
    token.write_text("eyJhbGciOiJSUzI1NiJ9.fake.token")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ALIBABA_CLOUD_", "ACKPROF_", "FAKE_ALIYUN_"))}
    env.update(HOME=str(home), TMPDIR=str(tmp_path), PATH="%s:%s" % (ACKPROF.parent, os.environ["PATH"]),
               ALIBABA_CLOUD_ROLE_ARN=ROLE, ALIBABA_CLOUD_OIDC_PROVIDER_ARN=PROVIDER,
               ALIBABA_CLOUD_OIDC_TOKEN_FILE=str(token), ALIBABA_CLOUD_REGION_ID="cn-hangzhou",
               ACKPROF_ALIYUN=str(DOUBLE), ACKPROF_SDK_VENV=str(REPO / "tests/double/venv"),
               ACKPROF_SCRIPTS_DIR=str(REPO / "scripts"), PUSHGATEWAY_URL=gw,
               FAKE_ALIYUN_LOG=str(home / "calls.log"), FAKE_ALIYUN_STATE=str(tmp_path / "double"))
    return env


def as_here(text, tmp_path, targets, extra="--poll-interval 0 --busy-wait 0"):
    """The container's paths made local; the poll wait zeroed for the simulator."""
    text = text.replace("/tmp/", str(tmp_path) + "/")
    text = text.replace("/usr/share/ackprof/scripts", str(REPO / "scripts"))
    text = text.replace("/etc/ackprof/targets", str(targets))
    text = text.replace("/var/lib/ackprof", str(tmp_path / "state"))
    return text.replace("ackprof batch", "ackprof batch " + extra)


def configmap_targets(tmp_path):
    t = tmp_path / "targets"
    t.write_text(load("configmap-targets.yaml")["data"]["targets"])
    return t


def invoked(log):
    return re.findall(r'"cluster_id":"(c[0-9a-f]{32})","namespace":"[^"]*","pod":"([^"]*)"',
                      log.read_text() if log.exists() else "")


@needs_build
@pytest.mark.parametrize("extra,want_rc,state_kept", [
    ("--poll-interval 0 --busy-wait 0", 0, False),
    ("--poll-interval 0 --busy-wait 0 --poll-max 1", 4, True),
])
def test_cronjob_command_as_written(tmp_path, gateway, extra, want_rc, state_kept):
    gw, puts = gateway
    (tmp_path / "state").mkdir()
    home = tmp_path / "home"
    home.mkdir()
    [c] = pod_spec(load("cronjob.yaml"))["containers"]
    targets = configmap_targets(tmp_path)
    argv = [as_here(a, tmp_path, targets, extra) for a in c["command"] + c["args"]]
    env = pod_env(tmp_path, gw, home)
    scenario = {} if want_rc == 0 else {"FAKE_ALIYUN_SCENARIO": "slow"}
    r = subprocess.run(argv, env=dict(env, **scenario), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True, timeout=120)
    assert r.returncode == want_rc, r.stderr
    calls = (home / "calls.log").read_text().splitlines()
    # The RRSA profile is made first, from the injected variables, with no secret.
    assert calls[0] == ("aliyun configure set --profile default --mode OIDC --ram-role-arn %s "
                        "--oidc-provider-arn %s --oidc-token-file %s --role-session-name ackprof "
                        "--region cn-hangzhou" % (ROLE, PROVIDER, tmp_path / "token"))
    assert calls[1] == "aliyun configure ai-mode enable"
    assert sorted(invoked(home / "calls.log")) == sorted(
        (l.split()[0], l.split()[2]) for l in targets.read_text().splitlines() if l and not l.startswith("#"))
    assert (tmp_path / "state" / "fleet.state").exists() == state_kept
    [(path, body)] = puts
    assert path == "/metrics/job/ackprof"
    assert "ackprof_exit_code{run=\"ackprof\"} %d" % want_rc in body
    for line in r.stdout.splitlines():
        json.loads(line)


@needs_build
def test_indexed_job_shards_cover_the_configmap_once(tmp_path, gateway):
    gw, puts = gateway
    doc = load("indexed-job.yaml")
    n = doc["spec"]["completions"]
    [c] = pod_spec(doc)["containers"]
    targets = configmap_targets(tmp_path)
    (tmp_path / "state").mkdir()
    seen = []
    for k in range(n):
        home = tmp_path / ("home%d" % k)
        home.mkdir()
        env = pod_env(tmp_path, gw, home)
        argv = [as_here(a, tmp_path, targets).replace("$(JOB_COMPLETION_INDEX)", str(k))
                .replace("$(PUSHGATEWAY_URL)", gw) for a in c["command"] + c["args"]]
        argv[argv.index("batch") + 1:argv.index("batch") + 1] = ["--poll-interval", "0", "--busy-wait", "0"]
        r = subprocess.run(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           universal_newlines=True, timeout=120)
        assert r.returncode == 0, r.stderr
        seen += invoked(home / "calls.log")
    want = [(l.split()[0], l.split()[2]) for l in targets.read_text().splitlines() if l and not l.startswith("#")]
    assert sorted(seen) == sorted(want)
    assert sorted(p for p, _ in puts) == ["/metrics/job/ackprof/shard/%d" % k for k in range(n)]


@pytest.mark.parametrize("unset", ["ALIBABA_CLOUD_ROLE_ARN", "ALIBABA_CLOUD_OIDC_PROVIDER_ARN",
                                   "ALIBABA_CLOUD_OIDC_TOKEN_FILE", "ALIBABA_CLOUD_REGION_ID"])
def test_rrsa_profile_without_a_variable_exits_78_in_one_line(tmp_path, unset):
    env = pod_env(tmp_path, "http://127.0.0.1:9", tmp_path)
    del env[unset]
    r = subprocess.run(["sh", str(RRSA), "true"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True)
    assert r.returncode == 78
    assert r.stderr.count("\n") == 1 and r.stderr.startswith("rrsa-profile: %s is not set" % unset)


def test_rrsa_profile_refuses_a_malformed_arn(tmp_path):
    env = pod_env(tmp_path, "http://127.0.0.1:9", tmp_path)
    env["ALIBABA_CLOUD_ROLE_ARN"] = "arn:aws:iam::1:role/x"
    r = subprocess.run(["sh", str(RRSA)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True)
    assert r.returncode == 78 and "is not a RAM role ARN" in r.stderr


# ---- the RRSA profile through the real CLI and the SDK ------------------------------

@pytest.fixture(scope="module")
def real_cli():
    r = subprocess.run(["sh", str(REPO / "tests/real/locate")], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, universal_newlines=True)
    if r.returncode == 1:
        if os.environ.get("ACKPROF_CI") == "1":
            pytest.fail("no real aliyun CLI, and CI must have it: %s" % r.stderr.strip())
        pytest.skip("no real aliyun CLI: %s" % r.stderr.strip())
    assert r.returncode == 0, r.stderr
    return r.stdout.strip()


SDK_PROBE = r"""
import json, sys
from Tea.core import TeaCore
from Tea.response import TeaResponse
seen = {}
def do_action(request, runtime=None):
    seen.update(host=request.headers.get("host"), query=dict(request.query))
    r = TeaResponse()
    r.status_code = 200
    r.body = json.dumps({"Credentials": {"AccessKeyId": "STS.fakeid", "AccessKeySecret": "fakesecret",
        "SecurityToken": "faketoken", "Expiration": "2099-01-01T00:00:00Z"}}).encode()
    return r
TeaCore.do_action = staticmethod(do_action)
from alibabacloud_credentials.client import Client
c = Client().get_credential()
print(json.dumps({"seen": seen, "provider": c.get_provider_name(), "id": c.get_access_key_id()}))
"""


def test_rrsa_profile_is_valid_to_the_real_cli_and_resolved_by_the_sdk(tmp_path, real_cli, sdk_python):
    home = tmp_path / "home"
    home.mkdir()
    env = pod_env(tmp_path, "http://127.0.0.1:9", home)
    env.update(ACKPROF_ALIYUN=real_cli, NO_COLOR="1", HTTPS_PROXY="http://127.0.0.1:9",
               HTTP_PROXY="http://127.0.0.1:9", NO_PROXY="")
    r = subprocess.run(["sh", str(RRSA)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True, timeout=60)
    assert r.returncode == 0, r.stderr
    cfg = json.loads((home / ".aliyun" / "config.json").read_text())
    [p] = cfg["profiles"]
    assert (p["mode"], p["ram_role_arn"], p["oidc_provider_arn"]) == ("OIDC", ROLE, PROVIDER)
    assert not any(k in p and p[k] for k in ("access_key_id", "access_key_secret", "sts_token"))
    r = subprocess.run([real_cli, "configure", "list"], env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, universal_newlines=True, timeout=60)
    assert r.returncode == 0, r.stderr
    [row] = [l for l in r.stdout.splitlines() if l.startswith("default ")]
    assert re.search(r"\| OIDC:\S+ +\| Valid +\| cn-hangzhou", row), row
    # The Step 7 SDK, with none of the RRSA variables, finds the same profile.
    sdk_env = {k: v for k, v in env.items() if not k.startswith("ALIBABA_CLOUD_")}
    sdk_env["ALIBABA_CLOUD_ECS_METADATA_DISABLED"] = "true"
    r = subprocess.run([sdk_python, "-c", SDK_PROBE], env=sdk_env, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, universal_newlines=True, timeout=60)
    assert r.returncode == 0, r.stderr
    got = json.loads(r.stdout)
    q = got["seen"]["query"]
    assert q["Action"] == "AssumeRoleWithOIDC"
    assert (q["RoleArn"], q["OIDCProviderArn"]) == (ROLE, PROVIDER)
    assert q["OIDCToken"] == (tmp_path / "token").read_text()
    assert got["seen"]["host"].startswith("sts")
    assert "oidc" in got["provider"] and got["id"] == "STS.fakeid"


# ---- the alert rules, as a PrometheusRule ------------------------------------------

def test_prometheusrule_holds_the_textfile_setups_rules():
    rules = REPO / "contrib" / "prometheus" / "ackprof.rules.yml"
    made = subprocess.run(["sh", str(REPO / "tools/prometheusrule"), str(rules)], stdout=subprocess.PIPE,
                          universal_newlines=True, check=True).stdout
    assert (KDIR / "prometheusrule.yaml").read_text() == made, \
        "deploy/kubernetes/prometheusrule.yaml is stale: make deploy/kubernetes/prometheusrule.yaml"
    doc = yaml.safe_load(made)
    assert (doc["apiVersion"], doc["kind"]) == ("monitoring.coreos.com/v1", "PrometheusRule")
    assert doc["spec"] == yaml.safe_load(rules.read_text())
    assert doc["spec"]["groups"] and all(g["rules"] for g in doc["spec"]["groups"])


def test_prometheusrule_spec_passes_promtool(tmp_path):
    promtool = subprocess.run(["sh", "-c", "command -v promtool"], stdout=subprocess.PIPE,
                              universal_newlines=True).stdout.strip()
    if not promtool:
        if os.environ.get("ACKPROF_CI") == "1":
            pytest.fail("promtool is not installed, and CI must have it (tools/deps --all)")
        pytest.skip("promtool is not installed (tools/deps --all installs prometheus)")
    spec = tmp_path / "rules.yml"
    spec.write_text(yaml.safe_dump(yaml.safe_load((KDIR / "prometheusrule.yaml").read_text())["spec"]))
    r = subprocess.run([promtool, "check", "rules", str(spec)], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, universal_newlines=True)
    assert r.returncode == 0, r.stdout
