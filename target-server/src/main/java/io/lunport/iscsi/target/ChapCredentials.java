package io.lunport.iscsi.target;

/** A CHAP user name and secret. The secret never appears in toString. */
public record ChapCredentials(String user, String secret) {

    public ChapCredentials {
        if (user == null || user.isEmpty() || secret == null || secret.isEmpty()) {
            throw new IllegalArgumentException("CHAP needs a user name and a secret");
        }
    }

    @Override
    public String toString() {
        return "ChapCredentials[user=" + user + "]";
    }
}
