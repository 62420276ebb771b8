package text_test

import (
	"fmt"

	"github.com/qpeft/qpeft/data/text"
)

// EmailText keeps the subject and the decoded body and drops the routing headers.
func ExampleEmailText() {
	raw := "Received: from mx.example.org\n" +
		"Subject: =?utf-8?Q?Caf=C3=A9?= offer\n" +
		"Content-Type: text/plain; charset=iso-8859-1\n" +
		"Content-Transfer-Encoding: quoted-printable\n" +
		"\n" +
		"Free co=EEffee,\n   today only!\n"
	fmt.Println(text.EmailText([]byte(raw)))
	// Output: Subject: Café offer Free coîffee, today only!
}

// The split of a text depends on its identifier alone.
func ExampleDataset_Split() {
	d := &text.Dataset{Name: "toy", Classes: []string{"ham", "spam"}}
	for i := 0; i < 10; i++ {
		d.Texts = append(d.Texts, fmt.Sprint("message ", i))
		d.Labels = append(d.Labels, i%2)
		d.IDs = append(d.IDs, fmt.Sprintf("msg-%02d", i))
	}
	train, test, _ := d.Split(0.3) // checked with Python hashlib
	fmt.Println(train.Len(), test.Len(), test.IDs)
	// Output: 5 5 [msg-00 msg-01 msg-03 msg-06 msg-08]
}
