#!/usr/bin/env python3
"""The audit log's keyed chain against a real gateway: admin actions through the web admin's API make
audited rows, the gateway stops (its last checkpoint goes to the table, the anchor file and the log), and
then the SQLite file is tampered with as someone without the key folder could: a row edited and the chain
rebuilt with plain SHA-256 as the old code did, rows cut off the end, the checkpoints rewritten to match,
the anchor file put back to an older one. `kakehashi audit verify` must exit non-zero and name the row.
"""
import hashlib
import os
import re
import shutil
import sqlite3
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import KAKEHASHI_BIN, IntegrationTest, main  # noqa: E402
from admin_client import AdminClient, admin_options, setup_code  # noqa: E402


def legacy_hash(prev, at, actor, action, subject, detail):
    """The unkeyed formula of the old code: SHA-256 over length-prefixed fields."""
    text = b""
    for field in (prev, str(at), actor, action, subject, detail):
        data = field.encode("utf-8")
        text += str(len(data)).encode() + b":" + data + b";"
    return hashlib.sha256(text).hexdigest()


class AuditChainTest(IntegrationTest):
    gateway_options = admin_options()

    def setUp(self):
        type(self).gateway_options = admin_options()  # a fresh port for every test
        super().setUp()
        self.state = self.gateway.config["stateDir"]
        self.db_path = os.path.join(self.state, "kakehashi.db")
        self.anchor = os.path.join(self.state, "audit-anchor.json")

    def verify(self, *extra):
        return subprocess.run([KAKEHASHI_BIN, "audit", "verify", "--config", self.gateway.config_path, *extra],
                              capture_output=True, text=True, timeout=60)

    def make_audited_rows(self):
        admin = AdminClient(self.gateway)
        status, body = admin.setup(setup_code(self.gateway))
        self.assertEqual(status, 201, body)
        admin.enrol()
        for name in ("架け橋クリニック", "架け橋内科", "架け橋訪問クリニック"):
            status, body = admin.request("PUT", "/admin/api/settings/facility.name", {"value": name})
            self.assertEqual(status, 200, body)
        status, verdict = admin.request("GET", "/admin/api/audit/verify")
        self.assertEqual(status, 200, verdict)
        self.assertTrue(verdict["intact"], verdict)
        self.assertGreaterEqual(verdict["rowsChecked"], 5)
        return admin

    def with_db(self, sql_work):
        db = sqlite3.connect(self.db_path)
        try:
            sql_work(db)
            db.commit()
        finally:
            db.close()

    def restore(self, pristine):
        shutil.rmtree(self.state)
        shutil.copytree(pristine, self.state)

    def test_tampering_without_the_key_is_found_and_the_row_named(self):
        self.make_audited_rows()
        self.assertEqual(self.gateway.stop(), 0)
        with open(self.gateway.log_path) as f:
            log_lines = [line for line in f if '"event":"audit.checkpoint"' in line]
        self.assertTrue(log_lines, "the gateway logged its checkpoints")
        self.assertNotIn("架け橋", "".join(log_lines))
        out = self.verify()
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        self.assertIn("監査ログは改ざんされていません", out.stdout)
        pristine = os.path.join(self.workdir, "state.pristine")
        shutil.copytree(self.state, pristine)
        with open(self.anchor) as f:
            newest_anchor = f.read()

        rows = sqlite3.connect(pristine + "/kakehashi.db").execute(
            "SELECT id, at, actor, action, subject, detail, hash FROM audit_log ORDER BY id").fetchall()
        self.assertGreaterEqual(len(rows), 5)
        edited = next(r[0] for r in rows if r[3] == "admin.setting-changed")
        last = rows[-1][0]

        # 1. A row edited, and every hash from it on made again with SHA-256, as the old code chained.
        def edit_and_rechain(db):
            db.execute("UPDATE audit_log SET actor = 'someone-else' WHERE id = ?", (edited,))
            prev = db.execute("SELECT hash FROM audit_log WHERE id = ?", (edited - 1,)).fetchone()[0]
            for rid, at, actor, action, subject, detail in db.execute(
                    "SELECT id, at, actor, action, subject, detail FROM audit_log WHERE id >= ? ORDER BY id",
                    (edited,)).fetchall():
                h = legacy_hash(prev, at, actor, action, subject, detail)
                db.execute("UPDATE audit_log SET prev_hash = ?, hash = ? WHERE id = ?", (prev, h, rid))
                prev = h
        self.with_db(edit_and_rechain)
        out = self.verify()
        self.assertEqual(out.returncode, 1, out.stdout + out.stderr)
        self.assertIn("監査ログが改ざんされています: 行 %d " % edited, out.stdout)
        self.assertIn("row %d" % edited, out.stdout)

        # 2. The last two rows cut off: the newest checkpoint covers them.
        self.restore(pristine)
        self.with_db(lambda db: db.execute("DELETE FROM audit_log WHERE id >= ?", (last - 1,)))
        out = self.verify()
        self.assertEqual(out.returncode, 1, out.stdout + out.stderr)
        self.assertIn("監査ログが改ざんされています: 行 %d 以降が削除されています" % (last - 1), out.stdout)

        # 3. The same, with the checkpoints that covered them removed too: the anchor file still names them.
        self.restore(pristine)

        def cut_tail_and_checkpoints(db):
            db.execute("DELETE FROM audit_log WHERE id >= ?", (last - 1,))
            db.execute("DELETE FROM audit_checkpoints WHERE row_id >= ?", (last - 1,))
        self.with_db(cut_tail_and_checkpoints)
        out = self.verify()
        self.assertEqual(out.returncode, 1, out.stdout + out.stderr)
        self.assertIn("行 %d 以降が削除されています" % (last - 1), out.stdout)
        self.assertIn("チェックポイント表が書き換えられています", out.stdout)

        # 4. And the anchor file put back to an older genuine one: the log still shows the newest checkpoint.
        checkpoint = sqlite3.connect(self.db_path).execute(
            "SELECT id, at, row_id, row_count, chain, pruned_through, tag FROM audit_checkpoints ORDER BY id DESC LIMIT 1").fetchone()
        older = ('{"event":"audit.checkpoint","checkpoint":"%d","at":"%d","row":"%d","count":"%d","chain":"%s",'
                 '"prunedThrough":"%d","tag":"%s"}\n' % checkpoint)
        self.assertNotEqual(older, newest_anchor)
        with open(self.anchor, "w") as f:
            f.write(older)
        self.assertEqual(self.verify().returncode, 0, "the box alone cannot tell an older genuine anchor")
        out = self.verify("--log", self.gateway.log_path)
        self.assertEqual(out.returncode, 1, out.stdout + out.stderr)
        self.assertIn("行 %d 以降が削除されています" % (last - 1), out.stdout)
        self.assertRegex(out.stdout, re.compile(r"ログのチェックポイント \d+ が表にありません"))


if __name__ == "__main__":
    main()
