/* Create the first passkey of a user the two-factor policy asks for one.
 * The server's registration options are in the form's data-options; the
 * browser's answer is posted back in its "registration" field. */
(function () {
    "use strict";

    function toBuffer(base64url) {
        const base64 = base64url.replace(/-/g, "+").replace(/_/g, "/");
        const padded = base64 + "===".slice((base64.length + 3) % 4);
        return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0)).buffer;
    }

    function toBase64url(buffer) {
        let text = "";
        for (const byte of new Uint8Array(buffer)) {
            text += String.fromCharCode(byte);
        }
        return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    }

    async function register(form) {
        const options = JSON.parse(form.dataset.options);
        const publicKey = Object.assign({}, options, {
            challenge: toBuffer(options.challenge),
            user: Object.assign({}, options.user, {id: toBuffer(options.user.id)}),
            excludeCredentials: (options.excludeCredentials || []).map((item) =>
                Object.assign({}, item, {id: toBuffer(item.id)})
            ),
        });
        const credential = await navigator.credentials.create({publicKey});
        const response = credential.response;
        form.elements.registration.value = JSON.stringify({
            id: credential.id,
            rawId: toBase64url(credential.rawId),
            type: credential.type,
            response: {
                attestationObject: toBase64url(response.attestationObject),
                clientDataJSON: toBase64url(response.clientDataJSON),
                transports: response.getTransports ? response.getTransports() : [],
            },
            clientExtensionResults: credential.getClientExtensionResults(),
            authenticatorAttachment: credential.authenticatorAttachment,
        });
        form.submit();
    }

    const form = document.querySelector("form.totp_policy_passkey_register");
    if (form) {
        form.addEventListener("submit", (event) => {
            event.preventDefault();
            register(form).catch((error) => console.error(error));
        });
    }
})();
