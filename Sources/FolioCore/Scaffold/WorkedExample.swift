/// The support-ticket triage story: the prompt before and after the fix, and the golden
/// set built from the production failures. `folio demo` commits these; the files under
/// `prompts/` and `goldensets/` of the Folio repository are the same text.
package enum WorkedExample {
    package static let promptName = "support_ticket_triage"
    package static let promptPath = "prompts/support_ticket_triage.yaml"
    package static let goldenSetPath = "goldensets/support_ticket_triage/production_failures.yaml"

    /// Version 1: routes anything that mentions billing to the billing team, so tickets
    /// about the billing API's errors land there too.
    package static let promptV1 = """
        schema: folio/prompt@1
        name: support_ticket_triage
        description: Classify support tickets and route them to a team.
        model:
          provider: openai
          name: gpt-4o
          temperature: 0
          max_tokens: 256
        variables:
          ticket_text:   { type: string, required: true }
          ticket_type:   { type: string, enum: [email, chat, web], default: email }
          customer_tier: { type: string, default: standard }
        messages:
          - role: system
            content: |
              You are a support ticket classifier. Answer with one word: billing,
              technical, account or general.
              Ticket type: {{ticket_type}}
              Customer tier: {{customer_tier}}
          - role: user
            content: "{{ticket_text}}"
        output:
          type: label
          labels: [billing, technical, account, general]

        """

    /// Version 2: the four categories spelled out, and the billing-API rule that sends
    /// API faults to the technical team.
    package static let promptV2 = """
        schema: folio/prompt@1
        name: support_ticket_triage
        description: Classify support tickets and route them to a team.
        model:
          provider: openai
          name: gpt-4o
          temperature: 0
          max_tokens: 256
        variables:
          ticket_text:   { type: string, required: true }
          ticket_type:   { type: string, enum: [email, chat, web], default: email }
          customer_tier: { type: string, default: standard }
        messages:
          - role: system
            content: |
              You are a support ticket classifier. Route the ticket to exactly one team and
              answer with that one word: billing, technical, account or general.

              - billing: refunds, payments, invoices, charges, plans and prices.
              - technical: errors, outages, bugs and anything about an API or endpoint.
              - account: login, SSO, passwords, profiles and permissions.
              - general: anything else.

              Rule: a ticket about the billing API or the payments endpoint (errors, wrong
              amounts, timeouts) is technical, not billing.

              Ticket type: {{ticket_type}}
              Customer tier: {{customer_tier}}
          - role: user
            content: "{{ticket_text}}"
        output:
          type: label
          labels: [billing, technical, account, general]

        """

    /// The five production failures, as a golden set.
    package static let goldenSet = """
        schema: folio/goldenset@1
        prompt: support_ticket_triage
        description: Misrouted tickets captured from production traces.
        defaults:
          assert: [{ type: equals, normalize: [trim, lowercase] }]
        cases:
          - id: billing-refund
            vars: { ticket_text: "I need a refund for my last payment", ticket_type: email }
            expected: billing
            source: { trace_id: 4bf92f3577b34da6a3ce929d0e0e4736, span_id: 00f067aa0ba902b7 }
          - id: payments-endpoint-500
            vars: { ticket_text: "Your payments endpoint returns 500 errors since this morning", ticket_type: web }
            expected: technical
            source: { trace_id: 5c1f0e9a2b7d4c3e8f6a1b2c3d4e5f60, span_id: 1a2b3c4d5e6f7081 }
          - id: february-invoice
            vars: { ticket_text: "Where can I download my February invoice?", ticket_type: chat }
            expected: billing
            source: { trace_id: 6d2e1fab3c8e4d5f9a7b2c3d4e5f6071, span_id: 2b3c4d5e6f708192 }
          - id: sso-login
            vars: { ticket_text: "I cannot log in with SSO since yesterday", ticket_type: email }
            expected: account
            source: { trace_id: 7e3f20bc4d9f4e6a8b8c3d4e5f607182, span_id: 3c4d5e6f708192a3 }
          - id: billing-api-wrong-amounts
            vars: { ticket_text: "The billing API returns wrong amounts for annual plans", ticket_type: email, customer_tier: enterprise }
            expected: technical
            source: { trace_id: 8f4031cd5ea04f7b9c9d4e5f60718293, span_id: 4d5e6f708192a3b4 }

        """
}
