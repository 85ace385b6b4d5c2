/**
 * The `pyproject.toml` OCA addons carry from 17.0 (OCA/server-auth 17.0's, byte for byte): whool
 * builds the wheel `odoo-addon-<name>` and takes the name, version and dependencies from the
 * manifest, so the file names none of them. OCA's 16.0 branches package with setuptools-odoo's
 * `setup/<addon>/setup.py` at the repository root instead, outside the addon folder.
 */
export const WHOOL_PYPROJECT = `[build-system]
requires = ["whool"]
build-backend = "whool.buildapi"
`;
