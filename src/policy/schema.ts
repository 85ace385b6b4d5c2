/**
 * The policy file format, schema version 1 (snake_case keys), as a zod v4 schema. It checks
 * types, unknown keys and every single-field rule; rules across fields (duplicates, a group both
 * enforced and excepted, ...) live in `rules.ts`. Titles and descriptions feed the JSON Schema
 * (`odoo-2fa schema`, `policy.schema.json`) and the README's policy reference.
 */
import { z } from "zod";
import { parseCidr } from "./cidr.js";
import { COMMUNITY_MODULES } from "./odoo-groups.js";

/** Extra words for error messages: what a field expects, in the user's terms. */
const expectations = new WeakMap<object, string>();
/** What to do about a wrong value, where a field has more to say than what it expects. */
const hints = new WeakMap<object, string>();

function expecting<T extends z.ZodType>(schema: T, expected: string, hint?: string): T {
  expectations.set(schema, expected);
  if (hint !== undefined) hints.set(schema, hint);
  return schema;
}

/** A custom issue with what to write instead (and a hint) for the error report. */
function problem(message: string, expected: string, hint?: string) {
  return { message, params: { expected, ...(hint === undefined ? {} : { hint }) } };
}

const ADDON_NAME = /^[a-z][a-z0-9_]*$/;
const XML_ID = /^[a-z0-9_]+\.[A-Za-z0-9_]+$/;
// GitHub's rule for user and organisation names.
const GITHUB_LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;
const VERSION = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;
// C0 and C1 controls and DEL; bidirectional overrides/isolates ("Trojan Source").
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/u;
// eslint-disable-next-line no-control-regex
const CONTROL_EXCEPT_NEWLINE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/u;

function describeChar(char: string): string {
  return `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;
}

/** Free text that ends up in generated files: one line (or several), no control characters. */
function text(
  meta: { title: string; description: string; examples?: string[] },
  options: { multiline?: boolean; maxLength?: number } = {},
) {
  const forbidden = options.multiline ? CONTROL_EXCEPT_NEWLINE : CONTROL;
  const maxLength = options.maxLength ?? 200;
  return expecting(
    z
      .string()
      .check((ctx) => {
        const value = ctx.value;
        if (value.trim() === "") {
          ctx.issues.push({
            code: "custom",
            input: value,
            ...problem("an empty text", `a non-empty ${meta.title.toLowerCase()}`),
          });
          return;
        }
        const match = forbidden.exec(value);
        if (match) {
          const char = match[0];
          const what = char === "\n" ? "a line break" : char === "\t" ? "a tab" : `the control character ${describeChar(char)}`;
          ctx.issues.push({
            code: "custom",
            input: value,
            ...problem(
              `contains ${what} at character ${match.index + 1}`,
              options.multiline ? "printable text (line breaks allowed)" : "printable text on one line",
              /[\u202a-\u202e\u2066-\u2069]/u.test(char)
                ? "bidirectional control characters can make text read differently from what it is"
                : "remove it; control characters are not allowed in policy text",
            ),
          });
        }
        if (value.length > maxLength) {
          ctx.issues.push({
            code: "custom",
            input: value,
            ...problem(`text of ${value.length} characters`, `at most ${maxLength} characters`),
          });
        }
      })
      .meta({ ...meta, minLength: 1, maxLength }),
    meta.examples?.[0] ? `text, e.g. ${meta.examples[0]}` : "text",
  );
}

const xmlId = (description: string) =>
  expecting(
    z
      .string()
      .check((ctx) => {
        if (!XML_ID.test(ctx.value)) {
          ctx.issues.push({
            code: "custom",
            input: ctx.value,
            ...problem(
              `"${ctx.value}" is not an xml id`,
              "an xml id `module.record`, e.g. base.group_user",
              ctx.value.includes(".")
                ? "module and record names use letters, digits and _ only, with exactly one dot between them"
                : "prefix the record with the module that defines it, e.g. base.group_user",
            ),
          });
        }
      })
      .meta({ title: "XML id", description, pattern: XML_ID.source, examples: ["base.group_user"] }),
    "an xml id `module.record`, e.g. base.group_user",
  );

const cidr = expecting(
  z
    .string()
    .check((ctx) => {
      const result = parseCidr(ctx.value);
      if (!result.ok)
        ctx.issues.push({ code: "custom", input: ctx.value, ...problem(result.message, result.expected, result.hint) });
    })
    .meta({
      title: "Network",
      description:
        "An IPv4 or IPv6 network in CIDR notation (`10.20.0.0/16`, `2001:db8::/48`). A bare address means that host only (`/32`, `/128`). Host bits must be zero.",
      examples: ["10.20.0.0/16", "2001:db8::/48"],
    }),
  "a network such as 10.20.0.0/16 or 2001:db8::/48",
);

const networks = (description: string) =>
  expecting(
    z.array(cidr).default([]).meta({ title: "Networks", description }),
    'a list of networks, e.g. [10.20.0.0/16, "2001:db8::/48"]',
  );

const graceDays = (description: string) =>
  expecting(
    z.number().int().min(0).max(365).default(0).meta({ title: "Grace days", description }),
    "a whole number of days from 0 to 365",
  );

const login = expecting(
  z
    .string()
    .check((ctx) => {
      const value = ctx.value;
      if (value === "" || /\s/u.test(value) || CONTROL.test(value)) {
        ctx.issues.push({
          code: "custom",
          input: value,
          ...problem(
            value === "" ? "an empty login" : `"${value}" contains whitespace or a control character`,
            "a user's login, e.g. scanner-01",
          ),
        });
      }
    })
    .meta({ title: "Login", description: "The login of an Odoo user (res.users.login)." }),
  "a user's login, e.g. scanner-01",
);

export const LICENSES = ["LGPL-3", "AGPL-3", "OPL-1", "Other proprietary"] as const;
export const DEVELOPMENT_STATUSES = ["Alpha", "Beta", "Production/Stable", "Mature"] as const;

const addonSchema = z
  .object({
    name: expecting(
      z
        .string()
        .check((ctx) => {
          const value = ctx.value;
          if (!ADDON_NAME.test(value)) {
            const suggestion = value
              .toLowerCase()
              .replace(/[^a-z0-9_]+/g, "_")
              .replace(/^[^a-z]+/, "");
            ctx.issues.push({
              code: "custom",
              input: value,
              ...problem(
                `"${value}" is not a valid technical module name`,
                suggestion && ADDON_NAME.test(suggestion)
                  ? `lowercase letters, digits and _, starting with a letter, e.g. ${suggestion}`
                  : "lowercase letters, digits and _, starting with a letter",
              ),
            });
          } else if (COMMUNITY_MODULES.has(value)) {
            ctx.issues.push({
              code: "custom",
              input: value,
              ...problem(
                `"${value}" is the name of an Odoo core module`,
                `a name of your own, e.g. ${value}_2fa_policy`,
                "Odoo would load only one of two modules with the same name",
              ),
            });
          }
        })
        .meta({
          title: "Technical name",
          description:
            "The addon's technical module name (its folder name): lowercase letters, digits and `_`, starting with a letter. Must not be the name of an Odoo core module.",
          pattern: ADDON_NAME.source,
          examples: ["acme_2fa_policy"],
        }),
      "a technical module name, e.g. acme_2fa_policy",
    ),
    title: text({
      title: "Title",
      description: "The addon's display name: the manifest's `name`.",
      examples: ["ACME two-factor policy"],
    }),
    summary: text({
      title: "Summary",
      description: "One line describing the policy: the manifest's `summary`.",
      examples: ["Every employee must use an authenticator app"],
    }),
    author: text({ title: "Author", description: "Who maintains the addon: the manifest's `author`.", examples: ["ACME IT"] }),
    website: expecting(
      z
        .string()
        .check((ctx) => {
          const value = ctx.value;
          let url: URL | undefined;
          try {
            url = new URL(value);
          } catch {
            url = undefined;
          }
          if (value !== "" && (!url || !/^https?:$/.test(url.protocol) || CONTROL.test(value) || /\s/.test(value))) {
            ctx.issues.push({
              code: "custom",
              input: value,
              ...problem(`"${value}" is not an http(s) URL`, 'a URL such as https://it.acme.example, or ""'),
            });
          }
        })
        .default("")
        .meta({
          title: "Website",
          description: "The manifest's `website`: an http(s) URL, or empty.",
          examples: ["https://it.acme.example"],
        }),
      "a URL such as https://it.acme.example",
    ),
    license: expecting(
      z
        .enum(LICENSES)
        .default("LGPL-3")
        .meta({ title: "License", description: "The addon's license (the manifest's `license`)." }),
      `one of ${LICENSES.join(", ")}`,
    ),
    depends: expecting(
      z
        .array(
          expecting(
            z
              .string()
              .check((ctx) => {
                if (!ADDON_NAME.test(ctx.value)) {
                  ctx.issues.push({
                    code: "custom",
                    input: ctx.value,
                    ...problem(
                      `"${ctx.value}" is not a technical module name`,
                      "lowercase letters, digits and _, starting with a letter, e.g. acme_warehouse",
                    ),
                  });
                }
              })
              .meta({ title: "Module", pattern: ADDON_NAME.source, examples: ["acme_warehouse"] }),
            "a technical module name, e.g. acme_warehouse",
          ),
        )
        .default([])
        .meta({
          title: "Extra dependencies",
          description:
            "Modules of your own (or from Odoo Enterprise) whose groups the policy names: their groups are accepted without being checked against Odoo's, and the modules are added to the manifest's `depends`. Groups of Odoo Community modules need no entry here: their modules are added by themselves.",
          examples: [["acme_warehouse"]],
        }),
      "a list of technical module names, e.g. [acme_warehouse]",
    ),
    version: expecting(
      z
        .string()
        .check((ctx) => {
          if (!VERSION.test(ctx.value)) {
            ctx.issues.push({
              code: "custom",
              input: ctx.value,
              ...problem(
                `"${ctx.value}" is not an x.y.z version`,
                "three numbers separated by dots, e.g. 1.0.0",
                "the series prefix (17.0.) is added by the generator",
              ),
            });
          }
        })
        .default("1.0.0")
        .meta({
          title: "Version",
          description: "The addon's own version `x.y.z`; the manifest carries `<series>.x.y.z`.",
          pattern: VERSION.source,
          examples: ["1.0.0"],
        }),
      'a version x.y.z, e.g. "1.0.0"',
    ),
    maintainers: expecting(
      z
        .array(
          expecting(
            z
              .string()
              .check((ctx) => {
                if (!GITHUB_LOGIN.test(ctx.value)) {
                  ctx.issues.push({
                    code: "custom",
                    input: ctx.value,
                    ...problem(
                      `"${ctx.value}" is not a GitHub login`,
                      "letters, digits and single hyphens, at most 39 characters, e.g. jane-doe",
                    ),
                  });
                }
              })
              .meta({ title: "GitHub login", pattern: GITHUB_LOGIN.source, examples: ["jane-doe"] }),
            "a GitHub login, e.g. jane-doe",
          ),
        )
        .optional()
        .meta({
          title: "Maintainers",
          description:
            "GitHub logins of the addon's maintainers: the manifest's `maintainers` (as OCA modules list them) and the readme's maintainers. Absent: no `maintainers` key.",
          examples: [["jane-doe"]],
        }),
      "a list of GitHub logins, e.g. [jane-doe]",
    ),
    development_status: expecting(
      z
        .enum(DEVELOPMENT_STATUSES)
        .optional()
        .meta({
          title: "Development status",
          description:
            "The manifest's `development_status`, one of OCA's levels (https://odoo-community.org/page/development-status). Absent: no `development_status` key.",
        }),
      `one of ${DEVELOPMENT_STATUSES.join(", ")}`,
    ),
    contributors: expecting(
      z
        .array(
          text({
            title: "Contributor",
            description: "One person or company, e.g. `Jane Doe <jane@acme.example>`.",
            examples: ["Jane Doe <jane@acme.example>"],
          }),
        )
        .optional()
        .meta({
          title: "Contributors",
          description:
            "Who contributed to the addon: the readme's `CONTRIBUTORS.md`, one line each. Absent: the author, then each maintainer.",
          examples: [["Jane Doe <jane@acme.example>"]],
        }),
      "a list of names, e.g. [Jane Doe <jane@acme.example>]",
    ),
  })
  .strict()
  .meta({ title: "Addon", description: "The generated addon's identity and manifest fields." });

const enforceSchema = z
  .object({
    groups: expecting(
      z.array(xmlId("A group whose members must use 2FA.")).meta({
        title: "Enforced groups",
        description:
          "XML ids of the groups whose members (including through implied groups) must use two-factor authentication. Each must be a group of Odoo (of every series generated for) or of a module in `addon.depends`; its module is added to the manifest's `depends`.",
        examples: [["base.group_user"]],
      }),
      "a list of xml ids, e.g. [base.group_user]",
    ),
    except_groups: expecting(
      z.array(xmlId("A group whose members are left out.")).default([]).meta({
        title: "Excepted groups",
        description: "XML ids of groups whose members are left out even when they are in an enforced group.",
      }),
      "a list of xml ids, e.g. [base.group_system]",
    ),
    grace_days: graceDays("Days an enforced user may keep working before enrolling an authenticator app."),
    trusted_device_days: expecting(
      z
        .number()
        .int()
        .min(0)
        .max(365)
        .optional()
        .meta({
          title: "Trusted device days",
          description:
            "How long \"Don't ask again on this device\" spares an enforced user the code: a trusted device older than this asks for a code again. 0: never (no device is remembered), for logins used on shared computers. Trusted devices made before the policy applied to the user, or before their authenticator was reset, are revoked. Absent: Odoo's own behaviour (90 days; on 19.0 the `auth_totp.trusted_device_age` setting).",
          examples: [0, 30],
        }),
      "a whole number of days from 0 to 365 (0: never remember a device)",
      "0 turns \"Don't ask again on this device\" off for enforced users; leave the key out to keep Odoo's 90 days",
    ),
    passkeys: expecting(
      z
        .object({
          required_for: expecting(
            z.array(xmlId("A group whose members must sign in with a passkey.")).default([]).meta({
              title: "Passkey required for",
              description:
                "XML ids of groups (e.g. administrators) whose members must sign in with a passkey: password and TOTP code are not enough for them. Until they do, their session reaches only the page where they create their first passkey; their password is refused over RPC (API keys follow `api.api_keys`). Fixed by the generated addon (Settings do not change it). Needs Odoo 18.0 or later: a policy that sets it does not validate for 16.0 or 17.0.",
              examples: [["base.group_system"]],
            }),
            "a list of xml ids, e.g. [base.group_system]",
          ),
        })
        .strict()
        .optional()
        .meta({
          title: "Passkeys",
          description:
            "Present: a sign-in with a passkey (Odoo's `auth_passkey`, which the addon then depends on) satisfies the policy, so a user who signed in with one is neither held at the setup page nor asked for a code; owning a passkey but signing in with a password does not. Odoo 18.0 and later; on 16.0 and 17.0, which have no passkeys, an empty `passkeys: {}` is ignored. Absent: passkeys are Odoo's own business (a passkey sign-in of a user without an app is held at the setup page).",
          examples: [{}, { required_for: ["base.group_system"] }],
        }),
      "an object, e.g. {} or { required_for: [base.group_system] }",
      "leave the key out to keep passkeys out of the policy",
    ),
  })
  .strict()
  .meta({ title: "Enforcement", description: "Who must use two-factor authentication." });

const portalSchema = z
  .object({
    enforce: expecting(
      z
        .boolean()
        .default(false)
        .meta({ title: "Enforce for portal users", description: "Whether portal users must use 2FA too." }),
      "true or false",
    ),
    grace_days: graceDays("Days a portal user may keep working before enrolling."),
  })
  .strict()
  .prefault({})
  .meta({ title: "Portal", description: "Two-factor authentication for portal (customer) users." });

const exemptionSchema = z
  .object({
    name: text(
      { title: "Name", description: "A unique name for this exemption.", examples: ["warehouse-scanners"] },
      { maxLength: 64 },
    ),
    logins: expecting(
      z.array(login).min(1).meta({ title: "Logins", description: "The logins exempt from 2FA." }),
      "a non-empty list of logins, e.g. [scanner-01]",
    ),
    networks: networks("The only networks the exempt logins may sign in from. Empty: from anywhere (reported as a warning)."),
    reason: text(
      {
        title: "Reason",
        description: "Why these logins are exempt; shown to administrators in Settings.",
        examples: ["Shared scanners on the warehouse floor"],
      },
      { multiline: true, maxLength: 500 },
    ),
  })
  .strict()
  .meta({ title: "Exemption", description: "Shared devices that sign in without 2FA, only from the given networks." });

const apiSchema = z
  .object({
    password_rpc: expecting(
      z.enum(["deny", "allow"]).default("deny").meta({
        title: "Password RPC",
        description:
          "`deny`: enforced users cannot authenticate XML-RPC/JSON-RPC with their password (API keys only). `allow`: they can.",
      }),
      "deny or allow",
    ),
    api_keys: expecting(
      z
        .enum(["allow", "deny"])
        .default("allow")
        .meta({ title: "API keys", description: "Whether enforced users may create and use API keys." }),
      "allow or deny",
    ),
    networks: networks("CIDR allowlist for the RPC endpoints; empty: no network limit."),
  })
  .strict()
  .prefault({})
  .meta({ title: "API", description: "XML-RPC / JSON-RPC access." });

const settingsSchema = z
  .object({
    editable: expecting(
      z
        .boolean()
        .default(true)
        .meta({ title: "Editable", description: "Whether administrators may change the enforcement in Odoo's Settings." }),
      "true or false",
    ),
  })
  .strict()
  .prefault({})
  .meta({ title: "Settings", description: "What administrators may change in Odoo." });

/** A request header that can carry a client address: letters, digits and dashes (no `_`: nginx drops such names). */
const HEADER_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?$/;
const NOT_AN_ADDRESS_HEADER = ["host", "x-forwarded-host", "x-forwarded-proto"];

const trustedUpstreamsSchema = z
  .object({
    networks: expecting(
      z
        .array(cidr)
        .min(1)
        .meta({
          title: "Networks",
          description:
            "The networks the load balancers connect from. Only a connection from one of them may name the client; any other keeps its own address, whatever it sends.",
          examples: [["10.0.0.0/24"]],
        }),
      "a non-empty list of networks, e.g. [10.0.0.0/24]",
    ),
    header: expecting(
      z
        .string()
        .check((ctx) => {
          if (!HEADER_NAME.test(ctx.value) || NOT_AN_ADDRESS_HEADER.includes(ctx.value.toLowerCase())) {
            ctx.issues.push({
              code: "custom",
              input: ctx.value,
              ...problem(
                `"${ctx.value}" cannot be the header of the client's address`,
                "a header name of letters, digits and dashes, e.g. X-Forwarded-For or X-Real-IP",
                NOT_AN_ADDRESS_HEADER.includes(ctx.value.toLowerCase()) ? "that header carries no client address" : undefined,
              ),
            });
          }
        })
        .default("X-Forwarded-For")
        .meta({
          title: "Header",
          description:
            "The request header the load balancers put the client's address in; with several addresses, the last one that is not itself in `networks` is the client.",
          pattern: HEADER_NAME.source,
          examples: ["X-Forwarded-For", "X-Real-IP"],
        }),
      "a header name such as X-Forwarded-For or X-Real-IP",
    ),
  })
  .strict()
  .optional()
  .meta({
    title: "Trusted upstreams",
    description:
      "Load balancers in front of the reverse proxy (`odoo-2fa proxy`): for a connection from their networks, the client is the address their header names. The proxy's rules and Odoo then use that address.",
  });

const proxySchema = z
  .object({
    admin_networks: networks("Networks the reverse proxy lets reach Odoo's administration paths (`odoo-2fa proxy`)."),
    trusted_upstreams: trustedUpstreamsSchema,
  })
  .strict()
  .prefault({})
  .meta({ title: "Reverse proxy", description: "Rules for the reverse-proxy configuration `odoo-2fa proxy` writes." });

const recoveryCodesSchema = z
  .object({
    enabled: expecting(
      z.boolean().default(false).meta({
        title: "Recovery codes",
        description:
          "Whether users get one-time recovery codes after enrolling, accepted once each in place of a TOTP code at the login's code step.",
      }),
      "true or false",
    ),
    count: expecting(
      z
        .number()
        .int()
        .min(5)
        .max(20)
        .default(10)
        .meta({ title: "Number of codes", description: "How many codes a set holds (regenerating replaces the whole set)." }),
      "a whole number from 5 to 20",
    ),
  })
  .strict()
  .prefault({})
  .meta({
    title: "Recovery codes",
    description: "One-time codes for a lost phone, stored only as salted hashes; rate-limited like TOTP codes.",
  });

const temporaryAccessSchema = z
  .object({
    enabled: expecting(
      z.boolean().default(false).meta({
        title: "Temporary access",
        description:
          "Whether a Settings administrator can issue, from the user form, a one-time access code for a user who lost their phone: accepted once at the login's code step, it removes the old authenticator and leads to the setup page.",
      }),
      "true or false",
    ),
    valid_hours: expecting(
      z
        .number()
        .int()
        .min(1)
        .max(72)
        .default(24)
        .meta({ title: "Hours a code is valid", description: "How long an issued code can be used, in hours (1 to 72)." }),
      "a whole number of hours from 1 to 72",
    ),
  })
  .strict()
  .optional()
  .meta({
    title: "Temporary access",
    description:
      "One-time access codes for a lost phone, issued by a Settings administrator, shown once and stored only as salted hashes; with a Clear the code-attempt limit action for locked-out users.",
  });

const reminderDay = z.number().int().min(1).max(365).meta({ title: "Days before the deadline" });

const notificationsSchema = z
  .object({
    announce: expecting(
      z.boolean().default(false).meta({
        title: "Announce",
        description:
          "Mail each user once when the policy first applies to them: what 2FA is, why, which apps, how to enrol, their deadline.",
      }),
      "true or false",
    ),
    remind_days_before_deadline: expecting(
      z.array(reminderDay).default([]).meta({
        title: "Reminders",
        description: "Send a reminder this many days before a user's grace deadline, once per value.",
        examples: [[7, 1]],
      }),
      "a list of whole numbers of days from 1 to 365, e.g. [7, 1]",
    ),
    notify_admins_weekly: expecting(
      z.boolean().default(false).meta({
        title: "Weekly summary to administrators",
        description: "Mail the Settings administrators once a week the list of users who still have not enrolled.",
      }),
      "true or false",
    ),
  })
  .strict()
  .prefault({})
  .meta({
    title: "Notifications",
    description:
      "Mails sent by a daily scheduled action that is safe to run twice; the mail templates are editable in Odoo.",
  });

export const policySchema = expecting(
  z
    .object({
      $schema: z
        .string()
        .optional()
        .meta({ description: "The JSON Schema this file follows (for editors); ignored by odoo-2fa." }),
      schema: expecting(
        z.literal(1).meta({ title: "Schema version", description: "The policy format version. Always `1`." }),
        "1 (the policy format version this odoo-2fa reads)",
      ),
      addon: addonSchema,
      enforce: enforceSchema,
      portal: portalSchema,
      exemptions: expecting(
        z
          .array(exemptionSchema)
          .default([])
          .meta({ title: "Exemptions", description: "Shared devices exempt from 2FA, each limited to its networks." }),
        "a list of exemptions",
      ),
      api: apiSchema,
      settings: settingsSchema,
      proxy: proxySchema,
      recovery_codes: recoveryCodesSchema,
      temporary_access: temporaryAccessSchema,
      report: expecting(
        z.boolean().default(false).meta({
          title: "Compliance report",
          description:
            "A Two-factor compliance menu for administrators (list and pivot per group and company) that `odoo-2fa report` also reads over the API.",
        }),
        "true or false",
      ),
      notifications: notificationsSchema,
      audit: expecting(
        z.boolean().default(false).meta({
          title: "Audit trail",
          description:
            "Record enrolments, removals, admin resets, refused password-RPC and refused exempt logins in a read-only log with a retention setting.",
        }),
        "true or false",
      ),
    })
    .strict()
    .meta({
      title: "odoo-2fa policy",
      description: "A two-factor authentication policy for Odoo, turned into an addon by `odoo-2fa generate`. Schema version 1.",
    }),
  "a policy: a mapping with schema: 1, addon, enforce, ... (odoo-2fa init writes one)",
);

/** The file format after defaults (snake_case). */
export type PolicyFile = z.output<typeof policySchema>;

/** The JSON Schema of the policy file format (what `odoo-2fa schema` prints). */
export function policyJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(policySchema, { io: "input", target: "draft-2020-12" }) as Record<string, unknown>;
  return schema;
}

type Def = { type: string; shape?: Record<string, z.ZodType>; element?: z.ZodType; innerType?: z.ZodType };

function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (;;) {
    const def = current._zod.def as unknown as Def;
    if (
      (def.type === "default" || def.type === "prefault" || def.type === "optional" || def.type === "nullable") &&
      def.innerType
    )
      current = def.innerType;
    else return current;
  }
}

/** The schema of the field at `path` (undefined when the path leaves the schema). */
export function fieldSchema(path: readonly PropertyKey[], root: z.ZodType = policySchema): z.ZodType | undefined {
  let current: z.ZodType | undefined = root;
  for (const part of path) {
    if (!current) return undefined;
    const def = unwrap(current)._zod.def as unknown as Def;
    if (def.type === "object" && typeof part === "string") current = def.shape?.[part];
    else if (def.type === "array" && typeof part === "number") current = def.element;
    else return undefined;
  }
  return current;
}

/** The keys an object at `path` allows (for did-you-mean), or [] when it is not an object. */
export function knownKeys(path: readonly PropertyKey[]): string[] {
  const schema = fieldSchema(path);
  if (!schema) return [];
  const def = unwrap(schema)._zod.def as unknown as Def;
  return def.type === "object" && def.shape ? Object.keys(def.shape).filter((key) => key !== "$schema") : [];
}

/** What the field at `path` expects, in words for an error report. */
export function expectedAt(path: readonly PropertyKey[]): string | undefined {
  let schema = fieldSchema(path);
  while (schema) {
    const words = expectations.get(schema);
    if (words) return words;
    const def = schema._zod.def as unknown as Def;
    schema = def.innerType;
  }
  return undefined;
}

/** The field's hint for a wrong value at `path`, if it has one. */
export function hintAt(path: readonly PropertyKey[]): string | undefined {
  let schema = fieldSchema(path);
  while (schema) {
    const hint = hints.get(schema);
    if (hint) return hint;
    const def = schema._zod.def as unknown as Def;
    schema = def.innerType;
  }
  return undefined;
}

/** Whether the field at `path` may be left out of the file. */
export function isOptionalAt(path: readonly PropertyKey[]): boolean {
  const schema = fieldSchema(path);
  if (!schema) return true;
  const type = (schema._zod.def as unknown as Def).type;
  return type === "default" || type === "prefault" || type === "optional";
}
