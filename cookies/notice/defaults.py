"""The privacy notice in the company's words, section by section (cookies.notice.content's
SECTIONS): the prose a first generated version starts from. Seeded as a draft by
cookies/migrations/0007; the DPO edits it from then on in the back office.
"""

INTRODUCTION = """\
This privacy notice contains information regarding the use and disclosures of personal data \
that relate to users of our business products and technical support. It also outlines your \
data protection rights, which include the right to object to certain processing activities \
that we conduct. The following sections detail your rights and the methods by which you can \
exercise them.
"""

SECTIONS = {
    "uses": """\
### Operating our products and administering accounts

We use personal data to operate our products and administer the accounts of our clients and \
their employees and workers who use them. We hold username and password details in order to \
control access to the products.

### Security and breach reporting

We monitor the access to our products to ensure that only authorised individuals can access \
the services we provide. We reserve the right to suspend an account and conduct an \
investigation in the event that we identify suspicious activity.

### Providing services

In order to deliver the information, services, alerts, and product you have requested, we may \
occasionally need to access and utilise your personal data. If you sign up for our webinars, \
newsletter, or product/service information, for instance, we may use your contact \
information to advise you of how to access the content you requested.

### Feedback to clients

Clients (or their affiliates, business partners, or group companies) may get information from \
us about the usage patterns of their employees' products from time to time. This information \
may include details like the frequency of usage and the purpose of the product. Customers \
usually want this data for standard product management reasons (like deciding to keep buying \
the product) or staff management reasons (like making sure their employees are using the \
products correctly and for work).

### Monitoring and improving our products

In order to improve our products, we analyse data including how users interact with them, how \
long they spend on certain tasks, and the information they gather. Security and system \
administration, as well as the generation of aggregated, non-personal data for our own or our \
clients' use, are additional uses for this information.

### Product or systems development and testing

When designing our products and systems, we may occasionally use personal data for \
development, testing, or improvement purposes. Among these tasks is checking the \
functionality of our security measures. Prior to doing this, we shall, whenever possible, \
anonymise or pseudonymise the data.

### Providing technical support and responding to queries

We will use your personal data to provide you with the assistance you request when you \
contact us with a question regarding a product or service we offer. This will involve \
reaching out to you regarding your inquiry. Occasionally, we may need to reach out to you \
regarding support enquiries that have been submitted by our other users.
""",
    "sources": """\
The table below lists each type of information we hold about you, what it contains and where \
we get it from. It is generated from our data map, the register of every place our product \
keeps personal data.
""",
    "retention": """\
While you are a registered user of our products, we will retain your personal data. After \
your account is terminated, we may retain it for an additional period of time. For these \
extra reasons, including but not limited to: troubleshooting data supply, restoring systems \
after a data loss incident, and responding to complaints, claims, and enquiries from you, your \
employer (or its affiliates), or our regulators, we retain the data for that additional period \
of time only.

The periods below are the ones our systems apply. When a period ends the data is deleted or \
anonymised, unless a legal hold (for example during a claim) requires us to keep it longer.
""",
    "legal_basis": """\
The use of your personal data for legitimate reasons is permitted under UK data protection \
law, but only if the benefits outweigh the risks to you. The legal requirement for processing \
personal data is known as the "legitimate interests" condition.

The first table below gives the legal basis of each use of your data. The second lists the \
legitimate interests we rely on, and for each use that relies on one, why we consider that \
it is not overridden by your interests and rights.

We rely on your consent only for optional cookies (performance and functionality cookies) \
and for the newsletters, webinar invitations and product news you ask us to send you.
""",
    "sharing": """\
### Clients

We may provide information about your product use to your employer (or its affiliates, \
business partners, or group companies) if they request it.

### Service providers

We may disclose your personal information to third parties that assist us in using it for the \
purposes indicated above. For example, our products may be hosted by third parties. Unless \
you agree differently, these service providers will not be able to use your information for \
their own or other organisations' benefit.

### Regulators and law enforcement

Personal information may be shared with government authorities and/or law enforcement \
officials if necessary for the objectives listed above, if required by law, or for the legal \
protection of our legitimate interests in accordance with applicable legislation. For \
example, we may need to provide personal information to a regulator such as the Information \
Commissioner's Office.
""",
    "storage": """\
We process your data in the United Kingdom, apart from the backups that some of our \
cloud-based service providers, such as Microsoft, keep in other regions (geo-regional backup).

While the United Kingdom and other nations in the European Union maintain a high degree of \
data protection regulation, some regions of the world may not give the same level of legal \
protection for personal data. As a result, if we move personal data overseas, we ensure that \
appropriate precautions are in place to protect the information: UK adequacy regulations for \
the country, or a contract with the recipient that includes terms approved by the authorities \
as providing an adequate level of protection (the International Data Transfer Agreement, or \
the UK Addendum to the EU Standard Contractual Clauses).

The table below shows where each of our service providers stores and backs up your data, and \
the safeguards that apply.
""",
    "automated": """\
We do not use automated decision-making or profiling to make important choices about you in \
connection with the activities specified in this privacy notice.

Our security checks may suspend an account provisionally when they detect suspicious \
activity, to protect it. A member of our staff reviews every such suspension and decides \
whether it stands.
""",
    "rights": """\
You can exercise any of these rights on our [rights request page](/rights/), or by writing to \
our Data Protection Officer (section 9). We answer within one month.

- **Access:** You have the right to know what personal data we have on you, as well as other \
information about how we use it.
- **Rectification:** If the information we have about you is inaccurate or out of date, you \
have the right to request that we update it.
- **Objection to legitimate interests:** If you disagree with us using your personal \
information on the basis of legitimate interests, you have the right to object. We will then \
reassess the extent to which we can continue to utilise the data given your specific \
circumstances.
- **Erasure:** In certain instances, you may request that we delete your personal \
information from our systems. However, this normally does not apply to all of your data \
because we may have a valid purpose for keeping some of it.
- **Withdrawal of consent:** We rely on your consent for optional cookies and for the \
newsletters, webinar invitations and product news you ask for. You can withdraw it at any \
time, as easily as you gave it: change your cookie choices on our [cookie settings \
page](/cookies/), and your e-mail choices on your [e-mail preferences \
page](/account/communications/) or with the unsubscribe link in each e-mail. Withdrawing \
consent does not affect what we did before.
- **Objection to direct marketing:** We send newsletters and product news only to people who \
ask for them. You have the right to object to direct marketing at any time, on your [e-mail \
preferences page](/account/communications/) or with the link in any such e-mail, and we then \
stop all of it at once.
- **Restriction:** In certain cases, you may request that we limit how we use your personal \
information.
- **Portability:** This right covers information you gave us that we process on the basis of \
your consent or of a contract with you. We provide our products under a contract with your \
employer, not with you, and we rely on your consent only for your cookie and e-mail choices, \
which you can see and change yourself at any time; so the right to data portability does not \
apply to the data described in this notice. You can still ask for a copy of all your data \
under the right of access.
""",
    "complaints": """\
If you have a complaint about our processing of your data, you can contact our Data \
Protection Officer, or make it on our [complaint form](/rights/?kind=complaint) or from your \
account page. We acknowledge every complaint within 30 days of receiving it, keep you \
informed, and tell you the outcome.

Please see our Consumer Contact Privacy Notice for information on how we will handle your \
personal information in response to complaints and questions.

You also have the right to file a complaint with the Information Commissioner's Office (ICO), \
which oversees the processing of personal data in the United Kingdom.
""",
    "cookies": """\
To help us identify you from other users, we use "cookies" and similar technology on our \
business product website(s) that provide technical support and product information. By doing \
so, we can enhance the business product website (including its security) and give you a \
better user experience overall.

Strictly necessary cookies are always on. We use the others only if you allow them, and you \
can change or withdraw your choice at any time on our [cookie settings page](/cookies/). If \
your browser sends the Global Privacy Control signal, we treat it as a refusal of the optional \
cookies until you allow them on that page. Here are the types of cookies that we use:
""",
}

CHANGE_NOTE = "Every section of our notice, with its tables generated from our records."
