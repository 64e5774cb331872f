# An independent judge: the image as umoci unpacked it, its entrypoint run by python under
# chroot(2) with the config's env, workdir and user (no builder code involved).
out=$(python3 - "$IMAGE_CONFIG" "$ROOTFS" <<'PY'
import json, os, subprocess, sys
c = json.load(open(sys.argv[1]))["config"]
env = dict(e.split("=", 1) for e in c["Env"])
def enter():
    os.chroot(sys.argv[2]); os.chdir(c["WorkingDir"]); os.setgid(1000); os.setuid(1000)
r = subprocess.run(c["Entrypoint"] + (c.get("Cmd") or []), env=env, preexec_fn=enter,
                   capture_output=True, text=True)
sys.stdout.write(r.stdout); sys.exit(r.returncode)
PY
) || fail "entrypoint failed under chroot"
[ "$out" = "hi from the image in /app as 1000" ] || fail "entrypoint printed '$out'"
expect_cfg config.User app
# the same through builder's own runner (and its no-state stand-in)
out=$("$BUILDER" run --rm test:case) || fail "builder run failed"
[ "$out" = "hi from the image in /app as 1000" ] || fail "run printed '$out'"
out=$("$BUILDER" debug run test:case) || fail "builder debug run failed"
[ "$out" = "hi from the image in /app as 1000" ] || fail "debug run printed '$out'"
