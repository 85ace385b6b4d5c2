import { beforeAll, describe, expect, it } from "vitest";
import { SERIES } from "../../src/policy/model.js";
import { profileFor } from "../../src/profiles/index.js";
import { renderAddon, type TemplateSet } from "../../src/render/index.js";
import { loadTemplateSet } from "../../src/generate/templates.js";
import { samplePolicy } from "../support/policies.js";

let templates: TemplateSet;
beforeAll(async () => {
  templates = await loadTemplateSet();
});

const withDays = (trustedDeviceDays: number) =>
  samplePolicy({ enforce: { groups: ["base.group_user"], exceptGroups: [], graceDays: 0, trustedDeviceDays } });

describe("issue 13, beyond Odoo: codes used once, trusted devices", () => {
  it("the counter is the addon's until 19.0, whose core has it; the replay test is on every series", () => {
    for (const series of SERIES) {
      const tree = renderAddon(samplePolicy(), series, templates);
      expect(tree.has("models/res_users_totp_counter.py"), series).toBe(series !== "19.0");
      expect(tree.has("tests/test_totp_counter.py"), series).toBe(series !== "19.0");
      expect(tree.get("tests/__init__.py"), series).toContain("test_replay,");
    }
  });

  it("without the key, nothing of the trusted devices feature is generated", () => {
    for (const series of SERIES) {
      const paths = [...renderAddon(samplePolicy(), series, templates).keys()];
      expect(paths.filter((p) => /trusted_device|auth_totp_device/.test(p)), series).toEqual([]);
    }
  });

  it("some days: the age check, revocation and the cookie's age; 0: also the hidden checkbox and the dropped 'remember'", () => {
    for (const series of SERIES) {
      const some = renderAddon(withDays(30), series, templates);
      expect(some.get("models/auth_totp_device.py")).toContain("TRUSTED_DEVICE_DAYS = 30\n");
      // The browser keeps the device's cookie for the policy's age, not Odoo's 90 days: where
      // Odoo asks auth_totp.device for the age (19.0), the addon answers there, for the device's
      // key too; before, it rewrites the cookie Odoo set.
      if (profileFor(series).trustedDeviceAgeHook) {
        expect(some.get("models/auth_totp_device.py"), series).toContain("def _get_trusted_device_age(self):");
        expect(some.has("controllers/trusted_devices.py"), series).toBe(false);
      } else {
        expect(some.get("models/auth_totp_device.py"), series).not.toContain("_get_trusted_device_age");
        expect(some.get("controllers/trusted_devices.py")).toContain("max_age=TRUSTED_DEVICE_DAYS * 24 * 60 * 60");
        expect(some.get("controllers/trusted_devices.py")).not.toContain('kwargs.pop("remember"');
      }
      expect(some.has("views/trusted_device_templates.xml")).toBe(false);
      expect(some.get("readme/DESCRIPTION.md")).toContain("30 day(s) at most");
      const never = renderAddon(withDays(0), series, templates);
      expect(never.get("models/auth_totp_device.py")).toContain("TRUSTED_DEVICE_DAYS = 0\n");
      expect(never.get("controllers/__init__.py")).toContain("trusted_devices");
      expect(never.get("__manifest__.py")).toContain('"views/trusted_device_templates.xml"');
      expect(never.get("tests/test_trusted_devices.py")).toContain("def test_no_device_is_remembered");
      expect(never.get("readme/DESCRIPTION.md")).toContain('not offered "Don\'t ask again on this device"');
    }
  });
});
