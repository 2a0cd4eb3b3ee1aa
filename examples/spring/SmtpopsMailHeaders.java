package com.example.crm.mail;

import jakarta.mail.internet.MimeMessage;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.mail.javamail.JavaMailSender;
import org.springframework.mail.javamail.MimeMessagePreparator;
import org.springframework.stereotype.Component;

/** Adds the config's custom headers (smtpops.mail.headers.*) to every message, once. */
@Component
@ConfigurationProperties(prefix = "smtpops.mail")
public class SmtpopsMailHeaders {
  private Map<String, String> headers = Map.of();

  public Map<String, String> getHeaders() { return headers; }

  public void setHeaders(Map<String, String> headers) { this.headers = headers; }

  /** Send through this instead of mailSender.send(preparator). */
  public void send(JavaMailSender mailSender, MimeMessagePreparator preparator) {
    mailSender.send((MimeMessage message) -> {
      preparator.prepare(message);
      for (Map.Entry<String, String> header : headers.entrySet()) {
        message.setHeader(header.getKey(), header.getValue()); // replaces, never doubles
      }
    });
  }
}
